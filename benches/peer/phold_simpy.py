"""PHOLD in SimPy: the peer of examples/phold.rs, with the same flags and the same output line.

N logical processes hold one pending event each; every event schedules exactly one new event at
now + lookahead + Exp(mean - lookahead) (rounded to whole ticks), sent to a uniformly random LP
with probability `remote` and otherwise to its own LP. Events at or after `--end` are not
processed (SimPy's `run(until=end)`).

Written the fastest way SimPy allows, so the ratio printed by run.sh is not flattered: each event
is a bare `Timeout` carrying the target LP, handled by a callback, with no process (generator) per
LP and one `random.Random` for the whole run.
"""

import argparse
import random
import time

import simpy


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lps", type=int, default=10_000)
    parser.add_argument("--end", type=int, default=100_000)
    parser.add_argument("--mean", type=int, default=1_000)
    parser.add_argument("--lookahead", type=int, default=100)
    parser.add_argument("--remote", type=float, default=0.25)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    if args.lps <= 0 or args.mean <= args.lookahead or not 0.0 <= args.remote <= 1.0:
        parser.error("need --lps > 0, --mean > --lookahead and --remote in [0, 1]")

    env = simpy.Environment()
    rng = random.Random(args.seed)
    lps, lookahead, remote = args.lps, args.lookahead, args.remote
    rate = 1.0 / (args.mean - args.lookahead)
    expovariate, uniform, randrange = rng.expovariate, rng.random, rng.randrange
    timeout = env.timeout
    processed = 0

    def handle(event):
        nonlocal processed
        processed += 1
        target = randrange(lps) if uniform() < remote else event.value
        nxt = timeout(lookahead + int(expovariate(rate) + 0.5), target)
        nxt.callbacks.append(handle)

    for lp in range(lps):
        first = timeout(lookahead + int(expovariate(rate) + 0.5), lp)
        first.callbacks.append(handle)

    start = time.perf_counter()
    env.run(until=args.end)
    wall = time.perf_counter() - start
    print(f"events={processed} wall_s={wall:.6f} events_per_s={processed / wall:.0f}")


if __name__ == "__main__":
    main()
