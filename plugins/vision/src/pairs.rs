//! Greedy one-to-one pairing of two lists by a score: the matching step of face tracking
//! (tracks ↔ detections by box overlap and identity), the background search (followed faces ↔
//! detections) and face mapping (target faces ↔ map pairs by identity distance).
//!
//! Candidates are `(score, a, b)`: item `a` of the first list with item `b` of the second.
//! They are taken best first — ties broken by `a`, then `b`, so the result does not depend on
//! the order they were found in — and a pair is kept when neither side is taken yet. Greedy
//! rather than optimal (Hungarian): with a handful of faces and well-separated scores the two
//! agree, and greedy keeps the most certain pair whatever happens to the others.

/// Which scores are better.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rank {
    /// Larger is better (overlap, similarity).
    HighestFirst,
    /// Smaller is better (distance).
    LowestFirst,
}

/// The kept `(a, b)` pairs, best first, from `candidates` over lists of `a_len` and `b_len`
/// items (indices at or beyond them are ignored).
#[must_use]
pub fn greedy_pairs(
    mut candidates: Vec<(f32, usize, usize)>,
    a_len: usize,
    b_len: usize,
    rank: Rank,
) -> Vec<(usize, usize)> {
    candidates.sort_by(|x, y| {
        let by_score = match rank {
            Rank::HighestFirst => y.0.total_cmp(&x.0),
            Rank::LowestFirst => x.0.total_cmp(&y.0),
        };
        by_score.then(x.1.cmp(&y.1)).then(x.2.cmp(&y.2))
    });
    let (mut a_used, mut b_used) = (vec![false; a_len], vec![false; b_len]);
    let mut out = Vec::new();
    for (_, a, b) in candidates {
        if a < a_len && b < b_len && !a_used[a] && !b_used[b] {
            a_used[a] = true;
            b_used[b] = true;
            out.push((a, b));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_best_pair_wins_and_each_item_is_used_once() {
        // a0 fits b0 best, but a1 fits b0 even better: a1-b0 is kept, a0 gets b1.
        let c = vec![(0.6, 0, 0), (0.9, 1, 0), (0.5, 0, 1), (0.2, 1, 1)];
        assert_eq!(
            greedy_pairs(c.clone(), 2, 2, Rank::HighestFirst),
            vec![(1, 0), (0, 1)]
        );
        // As distances the order turns round: a1-b1 (0.2) first, then a0-b1 is taken, a0-b0.
        assert_eq!(
            greedy_pairs(c, 2, 2, Rank::LowestFirst),
            vec![(1, 1), (0, 0)]
        );
    }

    #[test]
    fn ties_go_by_index_whatever_the_input_order() {
        // Sorted (0,0), (0,1), (1,0): a0-b0 is kept; a0-b1 and a1-b0 find a side taken.
        let c = vec![(0.5, 1, 0), (0.5, 0, 1), (0.5, 0, 0)];
        let mut reversed = c.clone();
        reversed.reverse();
        for cands in [c, reversed] {
            assert_eq!(greedy_pairs(cands, 2, 2, Rank::HighestFirst), vec![(0, 0)]);
        }
    }

    #[test]
    fn indices_outside_the_lists_are_ignored() {
        let c = vec![(0.9, 5, 0), (0.8, 0, 7), (0.1, 0, 0)];
        assert_eq!(greedy_pairs(c, 1, 1, Rank::HighestFirst), vec![(0, 0)]);
    }
}
