//! Allocation benchmark (prints figures, asserts only that the shares sum to the pool): one
//! pool over every commune of France, by population (from the referential when
//! MUTUALIS_TEST_REFERENTIAL_DIR is set, else 34,955 generated populations), then a 60/40 mix
//! of population and a second key.
//!   cargo run --release -p tenants --example allocation_bench
use std::time::Instant;
use tenants::costs::allocate::{largest_remainder, mix};
use uuid::Uuid;

fn main() {
    let populations: Vec<u64> = match std::env::var("MUTUALIS_TEST_REFERENTIAL_DIR") {
        Ok(dir) => tenants::referential::Referential::read_dir(std::path::Path::new(&dir))
            .expect("referential")
            .communes
            .iter()
            .map(|c| c.population.max(0) as u64)
            .collect(),
        Err(_) => {
            let mut x: u64 = 0x2545_f491_4f6c_dd1d;
            (0..34_955)
                .map(|_| {
                    x ^= x << 13;
                    x ^= x >> 7;
                    x ^= x << 17;
                    50 + x % 20_000
                })
                .collect()
        }
    };
    let n = populations.len();
    let ids: Vec<Uuid> = (0..n).map(|i| Uuid::from_u128(i as u128 + 1)).collect();
    let amount = 1_234_567_890_i64;
    let weights: Vec<(Uuid, u128)> = ids
        .iter()
        .copied()
        .zip(populations.iter().map(|p| u128::from(*p)))
        .collect();
    let runs = 20;
    let t = Instant::now();
    let mut shares = vec![];
    for _ in 0..runs {
        shares = largest_remainder(amount, &weights).expect("allocates");
    }
    let per = t.elapsed() / runs;
    assert_eq!(shares.iter().map(|(_, c)| c).sum::<i64>(), amount);
    println!(
        "allocation by population over {n} communes: {:.2} ms per run",
        per.as_secs_f64() * 1e3
    );
    let agents: Vec<u64> = populations.iter().map(|p| p / 70 + 1).collect();
    let t = Instant::now();
    for _ in 0..runs {
        let w = mix(&[(60, populations.clone()), (40, agents.clone())], n).expect("mix");
        shares = largest_remainder(amount, &ids.iter().copied().zip(w).collect::<Vec<_>>())
            .expect("allocates");
    }
    let per = t.elapsed() / runs;
    assert_eq!(shares.iter().map(|(_, c)| c).sum::<i64>(), amount);
    println!(
        "60/40 mix of two keys over {n} communes: {:.2} ms per run",
        per.as_secs_f64() * 1e3
    );
}
