// SPDX-License-Identifier: MIT
/* Access lists (which vGPUs a viewer may watch) and the per-address
 * throttle of failed authentications. */
#include <stdio.h>
#include <stdlib.h>

#include "../../server/libvplane/tests/check.h"
#include "access.h"
#include "throttle.h"

static void test_lists(void)
{
	char err[256];

	CHECK(enc_access_valid("*", err, sizeof(err)));
	CHECK(enc_access_valid("vm-a,vm-b-*,[ab]?.x_y", err, sizeof(err)));
	CHECK(enc_access_valid("8f0c5e1a-2b3c-4d5e-8f90-123456789abc", err,
			       sizeof(err)));
	CHECK(!enc_access_valid("", err, sizeof(err)));
	CHECK(!enc_access_valid(",", err, sizeof(err)));
	CHECK(!enc_access_valid("vm-a,", err, sizeof(err)));
	CHECK(!enc_access_valid(",vm-a", err, sizeof(err)));
	CHECK(!enc_access_valid("vm-a,,vm-b", err, sizeof(err)));
	CHECK(!enc_access_valid("vm/a", err, sizeof(err)));
	CHECK(!enc_access_valid("vm a", err, sizeof(err)));
	CHECK(!enc_access_valid("vm:a", err, sizeof(err)));
	CHECK(strstr(err, "vGPU list"));
}

static void test_match(void)
{
	CHECK(enc_access_allows("vm-a", "vm-a"));
	CHECK(!enc_access_allows("vm-a", "vm-ab"));
	CHECK(!enc_access_allows("vm-a", "vm-"));
	CHECK(!enc_access_allows("vm-a", "VM-A"));
	CHECK(enc_access_allows("vm-b-*,vm-a", "vm-a"));
	CHECK(enc_access_allows("vm-b-*,vm-a", "vm-b-7"));
	CHECK(!enc_access_allows("vm-b-*,vm-a", "vm-b"));
	CHECK(enc_access_allows("vm-?", "vm-c"));
	CHECK(!enc_access_allows("vm-?", "vm-cc"));
	CHECK(enc_access_allows("vm-[ab]", "vm-b"));
	CHECK(!enc_access_allows("vm-[ab]", "vm-c"));
	CHECK(enc_access_allows("*", "anything"));
	CHECK(!enc_access_allows(NULL, "vm-a"));
	CHECK(!enc_access_allows("vm-a", NULL));

	/* paths: the first component decides, existing or not */
	CHECK(enc_access_allows_path("vm-a", "/vm-a/0"));
	CHECK(enc_access_allows_path("vm-a", "/vm-a/1/stream=0"));
	CHECK(enc_access_allows_path("vm-a", "/vm-a/9?x=1"));
	CHECK(enc_access_allows_path("vm-a", "/vm-a"));
	CHECK(!enc_access_allows_path("vm-a", "/vm-b/0"));
	CHECK(!enc_access_allows_path("vm-a", "/vm-ab/0"));
	CHECK(!enc_access_allows_path("vm-a", "/vm-a0"));
	CHECK(!enc_access_allows_path("vm-a", "//vm-a/0"));
	CHECK(!enc_access_allows_path("vm-a", "vm-a/0"));
	CHECK(!enc_access_allows_path("vm-a", "/"));
	CHECK(!enc_access_allows_path("vm-a", ""));
	CHECK(!enc_access_allows_path("vm-a", "*"));
	CHECK(!enc_access_allows_path("vm-a", NULL));
	CHECK(!enc_access_allows_path(NULL, "/vm-a/0"));
	CHECK(!enc_access_allows_path("*", "//vm-a/0"));
	CHECK(enc_access_allows_path("*", "/vm-b/0"));
}

static void test_keys(void)
{
	char key[ENC_THROTTLE_KEY_LEN];

	enc_throttle_key("192.0.2.7", key);
	CHECK(!strcmp(key, "192.0.2.7"));
	enc_throttle_key("::ffff:192.0.2.7", key);
	CHECK(!strcmp(key, "192.0.2.7"));
	enc_throttle_key("2001:db8:1:2:aaaa:bbbb:cccc:dddd", key);
	CHECK(!strcmp(key, "2001:db8:1:2::/64"));
	enc_throttle_key("2001:db8:1:2::1", key);
	CHECK(!strcmp(key, "2001:db8:1:2::/64"));
}

/* Count the failures @address gets checked in @seconds of guessing as
 * fast as it likes (one attempt every millisecond). */
static unsigned int guesses(struct enc_throttle *t, const char *address,
			    int64_t start_us, int seconds)
{
	unsigned int checked = 0, unlogged;
	unsigned long refused;
	int64_t now;

	for (now = start_us; now < start_us + seconds * 1000000LL;
	     now += 1000) {
		if (!enc_throttle_allow(t, address, now))
			continue;
		checked++;
		enc_throttle_fail(t, address, now, &unlogged, &refused);
	}
	return checked;
}

static void test_throttle(void)
{
	static struct enc_throttle t;
	unsigned int n, unlogged, logs = 0, i;
	unsigned long refused, refused_sum = 0;
	char address[64];
	int64_t now;

	enc_throttle_init(&t);
	/* 3 s of guessing: the burst, then 2 a second */
	n = guesses(&t, "192.0.2.1", 1000000, 3);
	fprintf(stderr, "3 s of guesses at 1000/s: %u checked\n", n);
	CHECK(n >= ENC_THROTTLE_BURST && n <= ENC_THROTTLE_BURST + 7);
	/* another address is not slowed by the first */
	CHECK(enc_throttle_allow(&t, "192.0.2.2", 4000000));
	/* a host's other IPv6 addresses count as the same host */
	n = guesses(&t, "2001:db8::1", 10000000, 1);
	n += guesses(&t, "2001:db8::2", 11000000, 1);
	CHECK(n <= ENC_THROTTLE_BURST + 5);
	/* the bucket refills: after a quiet while the burst is back */
	CHECK(enc_throttle_allow(&t, "192.0.2.1", 4000000 + 3000000));

	/* logging: the first failure, then one line a second saying how
	 * many were left unlogged and refused */
	enc_throttle_init(&t);
	for (now = 0; now < 3000000; now += 1000) {
		if (!enc_throttle_allow(&t, "198.51.100.9", now))
			continue;
		if (enc_throttle_fail(&t, "198.51.100.9", now, &unlogged,
				      &refused)) {
			logs++;
			refused_sum += refused;
		}
	}
	CHECK(logs >= 2 && logs <= 4);
	CHECK(refused_sum > 2000);

	/* bounded: 10000 addresses fit in ENC_THROTTLE_SLOTS slots, and the
	 * one guessing hardest stays throttled (its empty bucket is the
	 * last to be given up) */
	enc_throttle_init(&t);
	guesses(&t, "203.0.113.1", 0, 1);
	CHECK(!enc_throttle_allow(&t, "203.0.113.1", 990000));
	for (i = 0; i < 10000; i++) {
		snprintf(address, sizeof(address), "10.%u.%u.%u", i >> 16,
			 (i >> 8) & 255, i & 255);
		enc_throttle_fail(&t, address, 990000, &unlogged, &refused);
	}
	CHECK(sizeof(t) < 64 * 1024);
	CHECK(!enc_throttle_allow(&t, "203.0.113.1", 990000));
}

int main(void)
{
	test_lists();
	test_match();
	test_keys();
	test_throttle();
	return check_result("access");
}
