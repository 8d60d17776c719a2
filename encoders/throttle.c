// SPDX-License-Identifier: MIT
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include "throttle.h"

#define CAPACITY_US  ((int64_t)ENC_THROTTLE_BURST * ENC_THROTTLE_INTERVAL_US)
#define LOG_EVERY_US 1000000

void enc_throttle_init(struct enc_throttle *throttle)
{
	memset(throttle, 0, sizeof(*throttle));
}

void enc_throttle_key(const char *address, char *key)
{
	struct in6_addr a6;
	struct in_addr a4;
	char text[INET6_ADDRSTRLEN];

	if (inet_pton(AF_INET, address, &a4) == 1) {
		inet_ntop(AF_INET, &a4, key, ENC_THROTTLE_KEY_LEN);
		return;
	}
	if (inet_pton(AF_INET6, address, &a6) != 1) {
		snprintf(key, ENC_THROTTLE_KEY_LEN, "%s", address);
		return;
	}
	if (IN6_IS_ADDR_V4MAPPED(&a6)) {
		memcpy(&a4, &a6.s6_addr[12], sizeof(a4));
		inet_ntop(AF_INET, &a4, key, ENC_THROTTLE_KEY_LEN);
		return;
	}
	memset(&a6.s6_addr[8], 0, 8);
	inet_ntop(AF_INET6, &a6, text, sizeof(text));
	snprintf(key, ENC_THROTTLE_KEY_LEN, "%s/64", text);
}

/* The slot's credit at @now_us (refilled, capped). */
static int64_t credit(const struct enc_throttle_slot *slot, int64_t now_us)
{
	int64_t elapsed = now_us - slot->updated_us;
	int64_t c;

	if (elapsed < 0)
		elapsed = 0;
	if (elapsed >= CAPACITY_US)
		return CAPACITY_US;
	c = slot->credit_us + elapsed;
	return c > CAPACITY_US ? CAPACITY_US : c;
}

static struct enc_throttle_slot *find(struct enc_throttle *throttle,
				      const char *key)
{
	size_t i;

	for (i = 0; i < ENC_THROTTLE_SLOTS; i++)
		if (!strcmp(throttle->slots[i].key, key))
			return &throttle->slots[i];
	return NULL;
}

/* A slot for @key: its own, a free one, or the one with the most credit
 * (a full bucket is as good as no entry). */
static struct enc_throttle_slot *take(struct enc_throttle *throttle,
				      const char *key, int64_t now_us)
{
	struct enc_throttle_slot *slot = find(throttle, key), *best = NULL;
	int64_t best_credit = -1;
	size_t i;

	if (slot)
		return slot;
	for (i = 0; i < ENC_THROTTLE_SLOTS; i++) {
		struct enc_throttle_slot *s = &throttle->slots[i];
		int64_t c = s->key[0] ? credit(s, now_us) : CAPACITY_US + 1;

		if (c > best_credit) {
			best = s;
			best_credit = c;
		}
	}
	*best = (struct enc_throttle_slot){ .credit_us = CAPACITY_US,
					    .updated_us = now_us };
	snprintf(best->key, sizeof(best->key), "%s", key);
	return best;
}

bool enc_throttle_allow(struct enc_throttle *throttle, const char *address,
			int64_t now_us)
{
	char key[ENC_THROTTLE_KEY_LEN];
	struct enc_throttle_slot *slot;

	enc_throttle_key(address, key);
	slot = find(throttle, key);
	if (!slot || credit(slot, now_us) >= ENC_THROTTLE_INTERVAL_US)
		return true;
	slot->refused++;
	return false;
}

bool enc_throttle_fail(struct enc_throttle *throttle, const char *address,
		       int64_t now_us, unsigned int *unlogged,
		       unsigned long *refused)
{
	char key[ENC_THROTTLE_KEY_LEN];
	struct enc_throttle_slot *slot;
	bool first;

	enc_throttle_key(address, key);
	slot = take(throttle, key, now_us);
	first = slot->logged_us == 0;
	slot->credit_us = credit(slot, now_us) - ENC_THROTTLE_INTERVAL_US;
	if (slot->credit_us < 0)
		slot->credit_us = 0;
	slot->updated_us = now_us;
	slot->unlogged++;
	throttle->failures++;
	if (!first && now_us - slot->logged_us < LOG_EVERY_US)
		return false;
	*unlogged = first ? 0 : slot->unlogged - 1;
	*refused = first ? 0 : slot->refused;
	slot->logged_us = now_us ? now_us : 1;
	slot->unlogged = 0;
	slot->refused = 0;
	return true;
}
