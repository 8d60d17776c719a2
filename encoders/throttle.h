/* SPDX-License-Identifier: MIT */
/*
 * Failed authentications, slowed down per address: a token bucket per
 * address (an IPv4 address, or an IPv6 /64: one host usually holds a
 * whole /64) that lets ENC_THROTTLE_BURST failures through at once and
 * then one every ENC_THROTTLE_INTERVAL_US. While an address's bucket is
 * empty its credentials are not even checked. The table is fixed-size
 * (ENC_THROTTLE_SLOTS addresses): when it is full, the address closest to
 * a full bucket (the least suspect) makes room, so memory stays bounded
 * whatever the number of addresses. Not thread-safe: one per listener
 * thread. No GStreamer here: the unit suite tests it directly.
 */
#ifndef ENC_THROTTLE_H
#define ENC_THROTTLE_H

#include <stdbool.h>
#include <stdint.h>

#define ENC_THROTTLE_BURST	 5
#define ENC_THROTTLE_INTERVAL_US 500000 /* 2 failures a second after */
#define ENC_THROTTLE_SLOTS	 256
#define ENC_THROTTLE_KEY_LEN	 64 /* INET6_ADDRSTRLEN + "/64", rounded */

struct enc_throttle_slot {
	char key[ENC_THROTTLE_KEY_LEN]; /* "" : free */
	int64_t credit_us; /* at @updated_us; a failure costs an interval */
	int64_t updated_us;
	int64_t logged_us;     /* last log line for this address */
	unsigned int unlogged; /* failures since that line */
	unsigned long refused; /* attempts not checked (bucket empty) */
};

struct enc_throttle {
	struct enc_throttle_slot slots[ENC_THROTTLE_SLOTS];
	unsigned long failures; /* every failure, for the figures */
};

void enc_throttle_init(struct enc_throttle *throttle);

/* The key @address (borrowed, a numeric IPv4 or IPv6 address) is
 * counted under, into @key (ENC_THROTTLE_KEY_LEN bytes). */
void enc_throttle_key(const char *address, char *key);

/* @address may present credentials at @now_us (monotonic). If not, the
 * attempt is counted as refused. */
bool enc_throttle_allow(struct enc_throttle *throttle, const char *address,
			int64_t now_us);

/*
 * Credentials from @address were wrong at @now_us: take one failure
 * from its bucket. True if the caller should log it now (the first
 * failure of an address, then at most one line a second), with
 * *@unlogged set to the failures and *@refused to the unchecked attempts
 * of that address since its last line (both 0 the first time).
 */
bool enc_throttle_fail(struct enc_throttle *throttle, const char *address,
		       int64_t now_us, unsigned int *unlogged,
		       unsigned long *refused);

#endif /* ENC_THROTTLE_H */
