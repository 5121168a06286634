//! The `AccountStore` contract (`app/src/ports/accounts.rs`): sign-up,
//! lookups by id and e-mail, credentials, and saving a profile.

use crate::{password_hash, user};
use app::{
    domain::{Email, PersonName, ProfileForm, ProfileInput, UserId},
    ports::{NewUser, Store, StoreError},
};
use std::sync::Arc;

async fn accounts(store: Arc<dyn Store>) {
    let ada = user(store.as_ref(), "Ada Lovelace").await;
    assert_eq!(ada.email.as_str(), "ada.lovelace@example.org");
    assert_eq!(ada.display_name, "Ada Lovelace");
    assert!(ada.links.is_empty());

    assert_eq!(store.user_by_id(ada.id).await.unwrap().as_ref(), Some(&ada));
    assert_eq!(
        store.user_by_email(&ada.email).await.unwrap().as_ref(),
        Some(&ada)
    );
    assert_eq!(
        store
            .user_by_id(UserId(uuid::Uuid::new_v4()))
            .await
            .unwrap(),
        None
    );
    let creds = store.credentials(&ada.email).await.unwrap().unwrap();
    assert_eq!(creds.user_id, ada.id);
    assert!(creds.password_hash.0.starts_with("$argon2id$"));
    assert!(store
        .credentials(&Email::parse("nobody@example.org").unwrap())
        .await
        .unwrap()
        .is_none());

    let again = store
        .create_user(NewUser {
            email: ada.email.clone(),
            display_name: PersonName::parse("display_name", "Other").unwrap(),
            password_hash: password_hash(),
        })
        .await;
    assert!(
        matches!(again, Err(StoreError::Conflict("email"))),
        "{again:?}"
    );
    assert_eq!(
        store
            .user_by_id(ada.id)
            .await
            .unwrap()
            .unwrap()
            .display_name,
        "Ada Lovelace"
    );
}

async fn profiles(store: Arc<dyn Store>) {
    let ada = user(store.as_ref(), "Ada").await;
    let input = ProfileInput::parse(&ProfileForm {
        display_name: "Ada Lovelace".into(),
        pronouns: "she/her".into(),
        headline: "Programmer".into(),
        company: "Engines Ltd".into(),
        job_title: "Analyst".into(),
        bio: "Wrote the first program.\nLikes poetry.".into(),
        links: "https://ada.example.org\nhttps://github.com/ada".into(),
        location: "London".into(),
        languages: "English".into(),
        ask_me_about: "Engines".into(),
        phone: "+44 20 7946 0000".into(),
    })
    .unwrap();
    let updated = store.update_profile(ada.id, &input).await.unwrap();
    assert_eq!(updated.display_name, "Ada Lovelace");
    assert_eq!(updated.pronouns, "she/her");
    assert_eq!(updated.bio, "Wrote the first program.\nLikes poetry.");
    assert_eq!(
        updated.links,
        ["https://ada.example.org", "https://github.com/ada"]
    );
    assert_eq!(store.user_by_id(ada.id).await.unwrap().unwrap(), updated);

    let missing = store
        .update_profile(UserId(uuid::Uuid::new_v4()), &input)
        .await;
    assert!(matches!(missing, Err(StoreError::NotFound)), "{missing:?}");
}

on_both_backends!(store: accounts, profiles);
