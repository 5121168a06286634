//! The upper bound every schedule is measured against: no valid schedule of
//! the problem is worth more. It is the optimum of a linear-programming
//! relaxation, solved exactly as a min-cost flow.
//!
//! # The relaxation
//!
//! Fixed meetings are in every schedule: their value counts as is, they use
//! their slot, their spot and one of each side's meetings. For the rest:
//!
//! - `c_p`, the most further meetings person `p` can have: their maximum
//!   minus their fixed meetings, and no more than a schedule of their own
//!   allows (slots they are available and free in, whose slot still has
//!   room, never more than K in a row; a small dynamic programme over the
//!   slots);
//! - `M`, the most further meetings in total: per slot, the room left, but
//!   no more than half the people who could meet in it, summed over slots;
//! - candidate pairs: worth something, not forbidden, not fixed, with a slot
//!   both could meet in.
//!
//! Every schedule picks a set of candidate pairs `x` (each at most once)
//! with at most `c_p` pairs at each `p` and at most `M` in all, so its value
//! is at most the optimum of the LP
//! `max Σ v_e x_e  s.t.  Σ_{e∋p} x_e ≤ c_p,  Σ_e x_e ≤ M,  0 ≤ x_e ≤ 1`.
//! It forgets *which* slot a meeting is in: per-slot clashes between two
//! people's meetings and K are only counted per person.
//!
//! # Solving it exactly
//!
//! The LP is a fractional b-matching on a general graph. Its optimum equals
//! half the optimum of a bipartite problem (the *double cover*): every
//! person has a left copy and a right copy, each of capacity `c_p`, and every
//! pair `{a, b}` gives two unit arcs `a_L → b_R` and `b_L → a_R` worth `v_e`
//! each, with at most `2M` arcs used. Proof: an LP solution `x` gives the
//! flow `x_e` on both arcs of `e`, worth `2 Σ v_e x_e`, within every copy's
//! capacity; a flow `y` gives `x_e = (y_ab + y_ba) / 2`, worth half the
//! flow's value, within every `c_p` (a person's degree is half the sum of
//! their two copies' flows). The bipartite problem is a min-cost flow
//! (source → left copies → right copies → sink, total flow ≤ `2M`), whose
//! optimum is integral and found exactly by the successive-shortest-path
//! method below, stopping when the next path no longer adds value. The bound
//! is the fixed meetings' value plus half the flow's value, rounded down
//! (every schedule's value is a whole number).
//!
//! Why not a simpler bound: half the sum of each person's `c_p` best pair
//! values is also valid, but counts a popular person's many wishers in full
//! although only `c_p` of them can meet them; and the best `M` pair values
//! ignore every person's limit. The LP is at least as tight as both.
//!
//! The solver: primal-dual min-cost flow (Dijkstra on reduced costs with
//! potentials, then a blocking flow along the zero-reduced-cost arcs, as in
//! Dinic's algorithm), about 150 lines. None of the crates already in the
//! lockfile solves min-cost flow, and a general LP crate would be slower on
//! this structure; the routine is checked exhaustively against every arc
//! subset of small graphs in the tests, and the whole bound against the
//! brute-force optimum of tiny events.

use super::Problem;
use std::cmp::Reverse;
use std::collections::BinaryHeap;

/// The upper bound on the value of any schedule of `problem`.
pub fn upper_bound(problem: &Problem) -> u64 {
    let input = problem.input();
    let n = problem.person_count();
    let slots = problem.slot_count();
    let mut busy = vec![0u128; n];
    let mut fixed_count = vec![0u32; n];
    let mut room: Vec<u32> = problem.slot_capacity().to_vec();
    let mut fixed_value = 0;
    for &(pair, slot, _) in problem.fixed() {
        let p = problem.pairs()[pair as usize];
        fixed_value += p.value;
        room[slot] -= 1;
        for x in [p.a as usize, p.b as usize] {
            busy[x] |= 1 << slot;
            fixed_count[x] += 1;
        }
    }
    let open = (0..slots)
        .filter(|&t| room[t] > 0)
        .fold(0u128, |o, t| o | 1 << t);
    let usable: Vec<u128> = (0..n)
        .map(|x| input.people[x].available.0 & !busy[x] & open)
        .collect();
    let mut total_room = 0u64;
    for (t, &r) in room.iter().enumerate() {
        let people = usable.iter().filter(|&&u| u >> t & 1 == 1).count() as u64;
        total_room += u64::from(r).min(people / 2);
    }
    let limit: Vec<u32> = (0..n)
        .map(|x| {
            let left = input.people[x].max_meetings - fixed_count[x];
            left.min(most_meetings(problem, busy[x], usable[x]))
        })
        .collect();
    let mut arcs = Vec::new();
    for p in problem.pairs() {
        let (a, b) = (p.a as usize, p.b as usize);
        if p.fixed_slot.is_none()
            && p.value > 0
            && usable[a] & usable[b] != 0
            && limit[a] > 0
            && limit[b] > 0
        {
            arcs.push((a, b, p.value as i64));
        }
    }
    let flow_value = max_value_flow(&limit, &arcs, 2 * total_room as i64);
    fixed_value + (flow_value / 2) as u64
}

/// The most meetings a person busy in `busy` (fixed meetings) can add in
/// `usable` slots without more than K in a row: dynamic programme over the
/// slots, the state being the length of the current run.
fn most_meetings(problem: &Problem, busy: u128, usable: u128) -> u32 {
    let k = problem.input().max_in_a_row as usize;
    let breaks = problem.breaks();
    const NEVER: i32 = i32::MIN / 2;
    // best[r]: most added meetings so far, ending with a run of r.
    let mut best = vec![NEVER; k + 1];
    best[0] = 0;
    for t in 0..problem.slot_count() {
        let mut next = vec![NEVER; k + 1];
        for r in 0..=k {
            if best[r] == NEVER {
                continue;
            }
            if busy >> t & 1 == 1 {
                if r < k {
                    next[r + 1] = next[r + 1].max(best[r]);
                }
                continue;
            }
            next[0] = next[0].max(best[r]);
            if usable >> t & 1 == 1 && r < k {
                next[r + 1] = next[r + 1].max(best[r] + 1);
            }
        }
        if breaks >> t & 1 == 1 {
            let m = next.iter().copied().max().unwrap_or(NEVER);
            next = vec![NEVER; k + 1];
            next[0] = m;
        }
        best = next;
    }
    best.into_iter().max().unwrap_or(0).max(0) as u32
}

/// A residual arc.
struct Arc {
    to: u32,
    cap: i32,
    cost: i64,
}

/// The network of the double cover: node 0 = source, 1 = sink, `2 + x` =
/// left copy of person `x`, `2 + n + x` = right copy.
struct Network {
    arcs: Vec<Arc>,
    /// Arc indices leaving each node (arc `i ^ 1` is the reverse of `i`).
    out: Vec<Vec<u32>>,
}

impl Network {
    fn arc(&mut self, from: usize, to: usize, cap: i32, cost: i64) {
        self.out[from].push(self.arcs.len() as u32);
        self.arcs.push(Arc {
            to: to as u32,
            cap,
            cost,
        });
        self.out[to].push(self.arcs.len() as u32);
        self.arcs.push(Arc {
            to: from as u32,
            cap: 0,
            cost: -cost,
        });
    }
}

/// The most value a flow of at most `max_flow` units can carry from the
/// source through `limit[x]`-capacity left copies, unit arcs `a_L → b_R`
/// and `b_L → a_R` worth `v` for every `(a, b, v)`, and `limit`-capacity
/// right copies to the sink.
pub(crate) fn max_value_flow(limit: &[u32], pairs: &[(usize, usize, i64)], max_flow: i64) -> i64 {
    let n = limit.len();
    let nodes = 2 + 2 * n;
    let mut net = Network {
        arcs: Vec::with_capacity(4 * pairs.len() + 4 * n),
        out: vec![Vec::new(); nodes],
    };
    let mut used = vec![false; n];
    for &(a, b, v) in pairs {
        net.arc(2 + a, 2 + n + b, 1, -v);
        net.arc(2 + b, 2 + n + a, 1, -v);
        used[a] = true;
        used[b] = true;
    }
    for x in (0..n).filter(|&x| used[x]) {
        net.arc(0, 2 + x, limit[x] as i32, 0);
        net.arc(2 + n + x, 1, limit[x] as i32, 0);
    }
    // Potentials making every arc's reduced cost non-negative at the start:
    // a right copy's potential is minus its best incoming value.
    let mut pi = vec![0i64; nodes];
    for &(a, b, v) in pairs {
        pi[2 + n + b] = pi[2 + n + b].min(-v);
        pi[2 + n + a] = pi[2 + n + a].min(-v);
    }
    pi[1] = pi[2 + n..].iter().copied().min().unwrap_or(0);

    let (mut flow, mut value) = (0i64, 0i64);
    let mut dist = vec![i64::MAX; nodes];
    while flow < max_flow {
        // Dijkstra from the source on reduced costs.
        dist.fill(i64::MAX);
        dist[0] = 0;
        let mut heap = BinaryHeap::new();
        heap.push(Reverse((0i64, 0u32)));
        while let Some(Reverse((d, u))) = heap.pop() {
            let u = u as usize;
            if d > dist[u] {
                continue;
            }
            for &i in &net.out[u] {
                let arc = &net.arcs[i as usize];
                if arc.cap <= 0 {
                    continue;
                }
                let v = arc.to as usize;
                let nd = d + arc.cost + pi[u] - pi[v];
                if nd < dist[v] {
                    dist[v] = nd;
                    heap.push(Reverse((nd, v as u32)));
                }
            }
        }
        if dist[1] == i64::MAX {
            break;
        }
        let reach = dist[1];
        for (p, d) in pi.iter_mut().zip(&dist) {
            *p += (*d).min(reach);
        }
        // Cost of one more unit along a shortest path; stop when it adds
        // no value.
        let unit = pi[1] - pi[0];
        if unit >= 0 {
            break;
        }
        let pushed = blocking_flow(&mut net, &pi, max_flow - flow);
        if pushed == 0 {
            break;
        }
        flow += pushed;
        value -= unit * pushed;
    }
    value
}

/// Pushes as much flow as it can (at most `budget`) along arcs whose reduced
/// cost is zero, Dinic-style (levels, then depth-first augmenting paths with
/// per-node arc cursors), and returns how much.
fn blocking_flow(net: &mut Network, pi: &[i64], budget: i64) -> i64 {
    let nodes = net.out.len();
    let admissible =
        |arc: &Arc, u: usize| arc.cap > 0 && arc.cost + pi[u] - pi[arc.to as usize] == 0;
    let mut total = 0;
    loop {
        let mut level = vec![u32::MAX; nodes];
        level[0] = 0;
        let mut queue = std::collections::VecDeque::from([0usize]);
        while let Some(u) = queue.pop_front() {
            for &i in &net.out[u] {
                let arc = &net.arcs[i as usize];
                let v = arc.to as usize;
                if level[v] == u32::MAX && admissible(arc, u) {
                    level[v] = level[u] + 1;
                    queue.push_back(v);
                }
            }
        }
        if level[1] == u32::MAX {
            return total;
        }
        let mut cursor = vec![0usize; nodes];
        loop {
            if total >= budget {
                return total;
            }
            // One augmenting path, depth first, one unit at a time is not
            // enough for the source arcs: find a path, push its bottleneck.
            let mut path: Vec<u32> = Vec::new();
            let mut u = 0usize;
            let found = loop {
                if u == 1 {
                    break true;
                }
                let mut advanced = false;
                while cursor[u] < net.out[u].len() {
                    let i = net.out[u][cursor[u]] as usize;
                    let arc = &net.arcs[i];
                    let v = arc.to as usize;
                    if level[v] == level[u] + 1 && admissible(arc, u) {
                        path.push(i as u32);
                        u = v;
                        advanced = true;
                        break;
                    }
                    cursor[u] += 1;
                }
                if !advanced {
                    // Dead end: retreat and skip the arc that led here.
                    level[u] = u32::MAX;
                    match path.pop() {
                        Some(i) => {
                            u = net.arcs[(i ^ 1) as usize].to as usize;
                            cursor[u] += 1;
                        }
                        None => break false,
                    }
                }
            };
            if !found {
                break;
            }
            let mut push = budget - total;
            for &i in &path {
                push = push.min(i64::from(net.arcs[i as usize].cap));
            }
            for &i in &path {
                net.arcs[i as usize].cap -= push as i32;
                net.arcs[(i ^ 1) as usize].cap += push as i32;
            }
            total += push;
        }
    }
}
