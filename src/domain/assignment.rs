//! Automatic assignment of judges to entries, as a pure function: every entry gets the judges it
//! still needs from those eligible for it (no conflict, the right expertise, not already on it), no
//! judge goes over their remaining capacity, and the load is spread evenly. Assignments made before
//! (by hand or by an earlier run) are not in the problem: they are kept, and only what is missing is
//! filled.
//!
//! The greedy pass gives each entry, most constrained first, the least loaded eligible judges. Where
//! that leaves an entry short, augmenting paths move this run's assignments between judges to make
//! room (Kuhn's method on the b-matching), so whenever all the needs can be met at once, they are;
//! otherwise as many as possible are, and the caller explains the rest.

use std::collections::VecDeque;

/// One round's assignment problem; entries and judges are numbered from 0.
#[derive(Debug, Clone)]
pub struct Problem {
    /// Judges each entry still needs.
    pub need: Vec<u32>,
    /// Entries each judge can still take (`u32::MAX` for no limit).
    pub capacity: Vec<u32>,
    /// Entries each judge already has, to spread the new ones evenly.
    pub load: Vec<u32>,
    /// For each entry, the judges it may get.
    pub eligible: Vec<Vec<u32>>,
}

/// New (entry, judge) pairs, in no particular order.
pub fn solve(p: &Problem) -> Vec<(u32, u32)> {
    let n_entries = p.need.len();
    let n_judges = p.capacity.len();
    let mut cap = p.capacity.clone();
    let mut load = p.load.clone();
    // This run's assignments, both ways (only these may move).
    let mut of_entry: Vec<Vec<u32>> = vec![Vec::new(); n_entries];
    let mut of_judge: Vec<Vec<u32>> = vec![Vec::new(); n_judges];
    let mut short = vec![0u32; n_entries];

    let mut order: Vec<usize> = (0..n_entries).filter(|&e| p.need[e] > 0).collect();
    order.sort_by_key(|&e| (p.eligible[e].len(), e));
    let mut candidates: Vec<u32> = Vec::new();
    for &e in &order {
        candidates.clear();
        candidates.extend(
            p.eligible[e]
                .iter()
                .copied()
                .filter(|&j| cap[j as usize] > 0),
        );
        candidates.sort_by_key(|&j| (load[j as usize], j));
        candidates.dedup();
        let take = (p.need[e] as usize).min(candidates.len());
        for &j in &candidates[..take] {
            of_entry[e].push(j);
            of_judge[j as usize].push(e as u32);
            cap[j as usize] -= 1;
            load[j as usize] += 1;
        }
        short[e] = p.need[e] - take as u32;
    }

    // Augment: for each missing judge, look for a chain of moves that ends at a judge with room.
    let mut judge_seen = vec![u32::MAX; n_judges];
    let mut entry_seen = vec![u32::MAX; n_entries];
    let mut via: Vec<(u32, u32)> = vec![(0, 0); n_entries]; // entry → (judge it takes, entry it takes it from)
    let mut stamp = 0u32;
    for &e in &order {
        while short[e] > 0 {
            stamp += 1;
            let Some((last_entry, free_judge)) = augmenting_path(
                e as u32,
                p,
                &cap,
                &of_entry,
                &of_judge,
                stamp,
                &mut judge_seen,
                &mut entry_seen,
                &mut via,
            ) else {
                break;
            };
            // Walk back: `last_entry` takes the free judge, each entry before it on the path takes
            // the judge that the next one gave up.
            let mut x = last_entry;
            let mut j = free_judge;
            cap[j as usize] -= 1;
            load[j as usize] += 1;
            loop {
                of_entry[x as usize].push(j);
                of_judge[j as usize].push(x);
                if x == e as u32 {
                    break;
                }
                let (gave_up, from) = via[x as usize];
                // `x` gives `gave_up` to `from`.
                of_entry[x as usize].retain(|&k| k != gave_up);
                of_judge[gave_up as usize].retain(|&y| y != x);
                j = gave_up;
                x = from;
            }
            short[e] -= 1;
        }
    }

    let mut out = Vec::new();
    for (e, judges) in of_entry.iter().enumerate() {
        for &j in judges {
            out.push((e as u32, j));
        }
    }
    out
}

/// A breadth-first search from `start` through (entry → eligible judge it lacks → entry that judge
/// has in this run → …) until a judge with room; returns the last entry and that judge. `via[y]`
/// records, for each entry reached, the judge it would give up and the entry that takes it.
#[allow(clippy::too_many_arguments)]
fn augmenting_path(
    start: u32,
    p: &Problem,
    cap: &[u32],
    of_entry: &[Vec<u32>],
    of_judge: &[Vec<u32>],
    stamp: u32,
    judge_seen: &mut [u32],
    entry_seen: &mut [u32],
    via: &mut [(u32, u32)],
) -> Option<(u32, u32)> {
    let mut queue = VecDeque::from([start]);
    entry_seen[start as usize] = stamp;
    while let Some(x) = queue.pop_front() {
        for &j in &p.eligible[x as usize] {
            if judge_seen[j as usize] == stamp || of_entry[x as usize].contains(&j) {
                continue;
            }
            judge_seen[j as usize] = stamp;
            if cap[j as usize] > 0 {
                return Some((x, j));
            }
            for &y in &of_judge[j as usize] {
                if entry_seen[y as usize] != stamp {
                    entry_seen[y as usize] = stamp;
                    via[y as usize] = (j, x);
                    queue.push_back(y);
                }
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A small deterministic generator, so a failure can be replayed from its seed.
    struct Rng(u64);
    impl Rng {
        fn next(&mut self, n: u32) -> u32 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            (self.0 % u64::from(n)) as u32
        }
    }

    /// The most judges that can be placed, by a plain max flow (Edmonds–Karp on a matrix): the
    /// reference the solver must reach.
    #[allow(clippy::needless_range_loop)]
    fn max_placements(p: &Problem) -> u32 {
        let (ne, nj) = (p.need.len(), p.capacity.len());
        let n = ne + nj + 2;
        let (s, t) = (ne + nj, ne + nj + 1);
        let mut c = vec![vec![0i64; n]; n];
        for e in 0..ne {
            c[s][e] = i64::from(p.need[e]);
            for &j in &p.eligible[e] {
                c[e][ne + j as usize] = 1;
            }
        }
        for j in 0..nj {
            c[ne + j][t] = i64::from(p.capacity[j].min(1000));
        }
        let mut flow = 0;
        loop {
            let mut prev = vec![usize::MAX; n];
            prev[s] = s;
            let mut q = VecDeque::from([s]);
            while let Some(u) = q.pop_front() {
                for v in 0..n {
                    if prev[v] == usize::MAX && c[u][v] > 0 {
                        prev[v] = u;
                        q.push_back(v);
                    }
                }
            }
            if prev[t] == usize::MAX {
                return flow;
            }
            let mut v = t;
            while v != s {
                let u = prev[v];
                c[u][v] -= 1;
                c[v][u] += 1;
                v = u;
            }
            flow += 1;
        }
    }

    fn check(p: &Problem, got: &[(u32, u32)]) {
        let mut per_entry = vec![0u32; p.need.len()];
        let mut per_judge = vec![0u32; p.capacity.len()];
        let mut seen = std::collections::HashSet::new();
        for &(e, j) in got {
            assert!(
                p.eligible[e as usize].contains(&j),
                "ineligible {e}-{j}: {p:?}"
            );
            assert!(seen.insert((e, j)), "twice {e}-{j}");
            per_entry[e as usize] += 1;
            per_judge[j as usize] += 1;
        }
        for (e, n) in per_entry.iter().enumerate() {
            assert!(*n <= p.need[e], "entry {e} over-filled");
        }
        for (j, n) in per_judge.iter().enumerate() {
            assert!(*n <= p.capacity[j], "judge {j} over capacity");
        }
        assert_eq!(got.len() as u32, max_placements(p), "not maximal: {p:?}");
    }

    #[test]
    fn every_feasible_instance_is_filled_and_no_constraint_is_ever_broken() {
        let mut rng = Rng(0x5eed_b1e5);
        for _ in 0..3_000 {
            let ne = 1 + rng.next(7) as usize;
            let nj = 1 + rng.next(6) as usize;
            let p = Problem {
                need: (0..ne).map(|_| rng.next(4)).collect(),
                capacity: (0..nj)
                    .map(|_| {
                        if rng.next(5) == 0 {
                            u32::MAX
                        } else {
                            rng.next(5)
                        }
                    })
                    .collect(),
                load: (0..nj).map(|_| rng.next(3)).collect(),
                eligible: (0..ne)
                    .map(|_| (0..nj as u32).filter(|_| rng.next(4) != 0).collect())
                    .collect(),
            };
            check(&p, &solve(&p));
        }
    }

    #[test]
    fn greedy_choices_are_moved_when_that_is_the_only_way_to_fill() {
        // Entry 0 can take judge 0 or 1, entry 1 judge 0 or the full judge 2; each judge takes one.
        // The greedy pass gives judge 0 (the least loaded) to entry 0, which must then move to
        // judge 1 so that entry 1 gets judge 0.
        let p = Problem {
            need: vec![1, 1],
            capacity: vec![1, 1, 0],
            load: vec![0, 5, 0],
            eligible: vec![vec![0, 1], vec![0, 2]],
        };
        let mut got = solve(&p);
        got.sort_unstable();
        assert_eq!(got, vec![(0, 1), (1, 0)]);
    }

    #[test]
    fn load_is_spread_evenly() {
        let p = Problem {
            need: vec![3; 100],
            capacity: vec![u32::MAX; 30],
            load: vec![0; 30],
            eligible: vec![(0..30).collect(); 100],
        };
        let got = solve(&p);
        assert_eq!(got.len(), 300);
        let mut per_judge = vec![0; 30];
        for (_, j) in got {
            per_judge[j as usize] += 1;
        }
        assert!(per_judge.iter().all(|n| *n == 10), "{per_judge:?}");
    }
}
