-- Sponsors and exhibitors (postgres). Paired with
-- ../sqlite/20261127000001_exhibitors.sql; keep both in step.

-- An organizer marks a member as a sponsor or exhibitor. It grants no
-- rights over other people's data: an exhibitor's leads page shows the
-- event's numbers as counts, and names only the people who connected with
-- them (which is their consent to be a lead). The role stays as it was.
ALTER TABLE memberships ADD COLUMN exhibitor BOOLEAN NOT NULL DEFAULT FALSE;
