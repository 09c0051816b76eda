//! Exact allocation of an amount in cents over weights: every share is the floor of its exact
//! part, and the cents left over go one each to the largest remainders, ties broken by the
//! order of the ids (Hamilton's largest remainder method). The shares always sum to the amount,
//! a zero weight always gets zero, and the same inputs always give the same shares.
use uuid::Uuid;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AllocationError {
    #[error("Tous les poids valent zéro : rien ne permet de répartir le montant.")]
    AllZero,
    #[error("Aucune commune entre qui répartir.")]
    Empty,
    #[error("Le montant est négatif.")]
    Negative,
    #[error("Les poids sont trop grands pour être combinés exactement.")]
    Overflow,
}

/// Shares of `amount` (cents, not negative) in proportion to `weights`, in the input order.
pub fn largest_remainder(
    amount: i64,
    weights: &[(Uuid, u128)],
) -> Result<Vec<(Uuid, i64)>, AllocationError> {
    if amount < 0 {
        return Err(AllocationError::Negative);
    }
    if weights.is_empty() {
        return Err(AllocationError::Empty);
    }
    let total: u128 = weights
        .iter()
        .try_fold(0u128, |acc, (_, w)| acc.checked_add(*w))
        .ok_or(AllocationError::Overflow)?;
    if total == 0 {
        return Err(AllocationError::AllZero);
    }
    let amount_u = amount as u128;
    let mut shares = Vec::with_capacity(weights.len());
    let mut given: u128 = 0;
    for (i, (id, w)) in weights.iter().enumerate() {
        let exact = amount_u.checked_mul(*w).ok_or(AllocationError::Overflow)?;
        let floor = exact / total;
        given += floor;
        shares.push((i, *id, floor, exact % total));
    }
    let mut left = amount_u - given;
    // Largest remainder first; equal remainders by id, so the order of input does not matter.
    let mut order: Vec<usize> = (0..shares.len()).filter(|i| weights[*i].1 > 0).collect();
    order.sort_by(|a, b| {
        shares[*b]
            .3
            .cmp(&shares[*a].3)
            .then(shares[*a].1.cmp(&shares[*b].1))
    });
    for i in order {
        if left == 0 {
            break;
        }
        shares[i].2 += 1;
        left -= 1;
    }
    Ok(shares
        .into_iter()
        .map(|(_, id, cents, _)| (id, cents as i64))
        .collect())
}

/// Combines several keys with weights into one exact weight per commune:
/// w_i = Σ_k weight_k × key_k(i) × Π_{j≠k} total_j, which is proportional to
/// Σ_k weight_k × key_k(i) / total_k with no rounding at all. A key whose total is zero is
/// left out (its weight goes to the others).
pub fn mix(parts: &[(u64, Vec<u64>)], communes: usize) -> Result<Vec<u128>, AllocationError> {
    let used: Vec<&(u64, Vec<u64>)> = parts
        .iter()
        .filter(|(w, keys)| *w > 0 && keys.iter().any(|k| *k > 0))
        .collect();
    if used.is_empty() {
        return Err(AllocationError::AllZero);
    }
    let totals: Vec<u128> = used
        .iter()
        .map(|(_, keys)| keys.iter().map(|k| u128::from(*k)).sum())
        .collect();
    let mut out = vec![0u128; communes];
    for (k, (weight, keys)) in used.iter().enumerate() {
        let mut others: u128 = 1;
        for (j, t) in totals.iter().enumerate() {
            if j != k {
                others = others.checked_mul(*t).ok_or(AllocationError::Overflow)?;
            }
        }
        for (i, v) in keys.iter().enumerate().take(communes) {
            let term = u128::from(*weight)
                .checked_mul(u128::from(*v))
                .and_then(|x| x.checked_mul(others))
                .ok_or(AllocationError::Overflow)?;
            out[i] = out[i].checked_add(term).ok_or(AllocationError::Overflow)?;
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn ids(n: usize) -> Vec<Uuid> {
        (0..n).map(|i| Uuid::from_u128(i as u128 + 1)).collect()
    }

    #[test]
    fn costs_examples_by_hand() {
        let id = ids(3);
        // 100.00 € over 1:1:1 → 33.34 + 33.33 + 33.33; the tie goes to the first id.
        let s = largest_remainder(10_000, &[(id[0], 1), (id[1], 1), (id[2], 1)]).expect("ok");
        assert_eq!(s, vec![(id[0], 3334), (id[1], 3333), (id[2], 3333)]);
        // The same, listed in another order: the same shares.
        let s = largest_remainder(10_000, &[(id[2], 1), (id[0], 1), (id[1], 1)]).expect("ok");
        assert_eq!(s, vec![(id[2], 3333), (id[0], 3334), (id[1], 3333)]);
        // Largest remainder wins over id order: 10 cents over 1:2 → 3.33 / 6.67 → 3 / 7.
        let s = largest_remainder(10, &[(id[0], 1), (id[1], 2)]).expect("ok");
        assert_eq!(s, vec![(id[0], 3), (id[1], 7)]);
        assert_eq!(
            largest_remainder(5, &[(id[0], 0)]),
            Err(AllocationError::AllZero)
        );
        assert_eq!(
            largest_remainder(-5, &[(id[0], 1)]),
            Err(AllocationError::Negative)
        );
        assert_eq!(largest_remainder(5, &[]), Err(AllocationError::Empty));
        // Population 60 % + agents 40 %: A has all the agents, B and C the population.
        let w = mix(&[(60, vec![0, 100, 300]), (40, vec![10, 0, 0])], 3).expect("mix");
        let s =
            largest_remainder(100_000, &id.iter().copied().zip(w).collect::<Vec<_>>()).expect("ok");
        assert_eq!(s, vec![(id[0], 40_000), (id[1], 15_000), (id[2], 45_000)]);
        // A key that is zero everywhere leaves its weight to the others.
        let w = mix(&[(50, vec![1, 3]), (50, vec![0, 0])], 2).expect("mix");
        let s = largest_remainder(400, &id[..2].iter().copied().zip(w).collect::<Vec<_>>())
            .expect("ok");
        assert_eq!(s, vec![(id[0], 100), (id[1], 300)]);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]

        #[test]
        fn costs_shares_sum_to_the_cent_and_zero_keys_get_zero(
            amount in 0i64..=10_000_000_000,
            weights in prop::collection::vec(0u64..=5_000_000, 1..60),
        ) {
            prop_assume!(weights.iter().any(|w| *w > 0));
            let id = ids(weights.len());
            let input: Vec<(Uuid, u128)> =
                id.iter().copied().zip(weights.iter().map(|w| u128::from(*w))).collect();
            let s = largest_remainder(amount, &input).expect("allocates");
            prop_assert_eq!(s.iter().map(|(_, c)| c).sum::<i64>(), amount);
            let total: u128 = weights.iter().map(|w| u128::from(*w)).sum();
            for ((_, c), w) in s.iter().zip(&weights) {
                if *w == 0 {
                    prop_assert_eq!(*c, 0);
                }
                // Within one cent of the exact share.
                let exact = amount as f64 * *w as f64 / total as f64;
                prop_assert!((*c as f64 - exact).abs() < 1.0 + 1e-6);
            }
            // Deterministic, whatever the input order.
            let mut reversed = input.clone();
            reversed.reverse();
            let mut again = largest_remainder(amount, &reversed).expect("allocates");
            again.reverse();
            prop_assert_eq!(again, s);
        }

        #[test]
        fn costs_shares_are_monotone_in_the_key(
            amount in 0i64..=1_000_000_000,
            weights in prop::collection::vec(0u64..=100_000, 2..40),
        ) {
            prop_assume!(weights.iter().any(|w| *w > 0));
            let id = ids(weights.len());
            let input: Vec<(Uuid, u128)> =
                id.iter().copied().zip(weights.iter().map(|w| u128::from(*w))).collect();
            let s = largest_remainder(amount, &input).expect("allocates");
            for i in 0..weights.len() {
                for j in 0..weights.len() {
                    if weights[i] > weights[j] {
                        prop_assert!(s[i].1 >= s[j].1, "a larger key never pays less");
                    }
                }
            }
        }

        #[test]
        fn costs_mixes_sum_exactly(
            amount in 0i64..=1_000_000_000,
            a in prop::collection::vec(0u64..=3_000_000, 1..40),
            wa in 0u64..=100,
        ) {
            let b: Vec<u64> = a.iter().map(|x| x % 97).collect();
            let w = match mix(&[(wa, a.clone()), (100 - wa, b)], a.len()) {
                Ok(w) => w,
                Err(AllocationError::AllZero) => return Ok(()),
                Err(e) => panic!("{e}"),
            };
            let id = ids(a.len());
            let s = largest_remainder(amount, &id.into_iter().zip(w).collect::<Vec<_>>())
                .expect("allocates");
            prop_assert_eq!(s.iter().map(|(_, c)| c).sum::<i64>(), amount);
        }
    }
}
