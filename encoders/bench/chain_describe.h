/* SPDX-License-Identifier: MIT */
/*
 * The encoder chain vplaned builds (encoder_chain.c), written out as a
 * gst-launch-1.0 pipeline fragment, so the baseline of the overhead
 * benchmark runs exactly the same elements with exactly the same
 * properties instead of a hand-copied list that could drift.
 */
#ifndef ENC_BENCH_CHAIN_DESCRIBE_H
#define ENC_BENCH_CHAIN_DESCRIBE_H

#include <stdbool.h>

struct enc_encoder_candidate;

/*
 * Build @candidate's chain in a scratch bin and describe it: every
 * element from the first to the last in link order, each with the
 * properties that differ from the factory's defaults, capsfilters as
 * quoted caps. The chain's hand-off queue is leaky (drops the oldest)
 * because vplaned's source is live; the description leaves "leaky"
 * out, since gst-launch's file source is not live and a leaky queue
 * would drop frames there. Returns a string to g_free(), NULL after
 * logging why.
 */
char *enc_bench_describe_chain(const struct enc_encoder_candidate *candidate,
			       bool chroma444);

#endif /* ENC_BENCH_CHAIN_DESCRIBE_H */
