// SPDX-License-Identifier: MIT
/* A browser viewer's input messages (input_message.h): what passes,
 * what is refused, the budget, and that a flood never keeps a release
 * from passing. */
#include <stdio.h>
#include <string.h>

#include "../../server/libvplane/tests/check.h"
#include "input_message.h"

#define W 640
#define H 360

static enum enc_input_verdict parse(struct enc_input_viewer *v,
				    const uint8_t *b, size_t n, int64_t now,
				    struct enc_input_event *e)
{
	return enc_input_parse(v, b, n, W, H, now, e);
}

static void test_each_type(void)
{
	struct enc_input_viewer v;
	struct enc_input_event e;
	const uint8_t key_a[] = { 1, 1, 30, 0, 1 };
	const uint8_t key_a_up[] = { 1, 1, 30, 0, 0 };
	const uint8_t click[] = { 1, 2, 0, 1 };
	const uint8_t move[] = { 1, 3, 0x7f, 0x02, 0x67, 0x01 };
	const uint8_t wheel[] = { 1, 4, 0, 0, 0x88, 0xff };
	const uint8_t release[] = { 1, 5 };

	enc_input_viewer_init(&v, 0);
	CHECK(parse(&v, key_a, sizeof(key_a), 0, &e) == ENC_INPUT_OK);
	CHECK(e.type == ENC_INPUT_KEY && e.code == 30 && e.down);
	CHECK(enc_input_viewer_holds(&v));
	CHECK(parse(&v, key_a_up, sizeof(key_a_up), 0, &e) == ENC_INPUT_OK);
	CHECK(e.type == ENC_INPUT_KEY && e.code == 30 && !e.down);
	CHECK(!enc_input_viewer_holds(&v));
	CHECK(parse(&v, click, sizeof(click), 0, &e) == ENC_INPUT_OK);
	CHECK(e.type == ENC_INPUT_BUTTON && e.code == ENC_INPUT_BUTTON_LEFT &&
	      e.down);
	CHECK(parse(&v, move, sizeof(move), 0, &e) == ENC_INPUT_OK);
	CHECK(e.type == ENC_INPUT_MOTION && e.x == 639 && e.y == 359);
	CHECK(parse(&v, wheel, sizeof(wheel), 0, &e) == ENC_INPUT_OK);
	CHECK(e.type == ENC_INPUT_WHEEL && e.dx == 0 && e.dy == -120);
	CHECK(enc_input_viewer_holds(&v)); /* the button */
	CHECK(parse(&v, release, sizeof(release), 0, &e) == ENC_INPUT_OK);
	CHECK(e.type == ENC_INPUT_RELEASE);
	CHECK(!enc_input_viewer_holds(&v));
	CHECK(v.accepted == 6 && v.refused == 0 && v.dropped == 0);
}

static void test_malformed(void)
{
	struct enc_input_viewer v;
	struct enc_input_event e;
	uint8_t big[4096];
	const uint8_t *bad[] = {
		(const uint8_t[]){ 2, 1, 30, 0, 1 },	  /* version */
		(const uint8_t[]){ 1, 0, 30, 0, 1 },	  /* type 0 */
		(const uint8_t[]){ 1, 6, 30, 0, 1 },	  /* type 6 */
		(const uint8_t[]){ 1, 1, 0, 0, 1 },	  /* key 0 */
		(const uint8_t[]){ 1, 1, 249, 0, 1 },	  /* past KEY_MICMUTE */
		(const uint8_t[]){ 1, 1, 0x10, 0x01, 1 }, /* BTN_MISC as key */
		(const uint8_t[]){ 1, 1, 0xff, 0xff, 1 }, /* 65535 */
		(const uint8_t[]){ 1, 1, 30, 0, 2 },	  /* state 2 */
		(const uint8_t[]){ 1, 2, 5, 1, 0 },	  /* button 5 */
	};
	const size_t bad_size[] = { 5, 5, 5, 5, 5, 5, 5, 5, 4 };
	size_t i;

	enc_input_viewer_init(&v, 0);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CHECK(parse(&v, bad[i], bad_size[i], 0, &e) ==
		      ENC_INPUT_REFUSED);
	/* sizes: empty, one byte, one short, one long, huge */
	CHECK(parse(&v, (const uint8_t[]){ 0 }, 0, 0, &e) == ENC_INPUT_REFUSED);
	CHECK(parse(&v, (const uint8_t[]){ 1 }, 1, 0, &e) == ENC_INPUT_REFUSED);
	CHECK(parse(&v, (const uint8_t[]){ 1, 1, 30, 0 }, 4, 0, &e) ==
	      ENC_INPUT_REFUSED);
	CHECK(parse(&v, (const uint8_t[]){ 1, 1, 30, 0, 1, 0 }, 6, 0, &e) ==
	      ENC_INPUT_REFUSED);
	CHECK(parse(&v, (const uint8_t[]){ 1, 5, 0 }, 3, 0, &e) ==
	      ENC_INPUT_REFUSED);
	memset(big, 0, sizeof(big));
	big[0] = 1;
	big[1] = 1;
	big[2] = 30;
	CHECK(parse(&v, big, sizeof(big), 0, &e) == ENC_INPUT_REFUSED);
	/* JSON is not the format */
	CHECK(parse(&v, (const uint8_t *)"{\"v\":1}", 7, 0, &e) ==
	      ENC_INPUT_REFUSED);
	CHECK(v.refused == 16 && v.accepted == 0);
	CHECK(!enc_input_viewer_holds(&v));
}

static void test_positions_and_wheel(void)
{
	struct enc_input_viewer v;
	struct enc_input_event e;

	enc_input_viewer_init(&v, 0);
	CHECK(parse(&v, (const uint8_t[]){ 1, 3, 0, 0, 0, 0 }, 6, 0, &e) ==
	      ENC_INPUT_OK);
	/* x = 640, y = 360, far away, no frame yet */
	CHECK(parse(&v, (const uint8_t[]){ 1, 3, 0x80, 2, 0, 0 }, 6, 0, &e) ==
	      ENC_INPUT_REFUSED);
	CHECK(parse(&v, (const uint8_t[]){ 1, 3, 0, 0, 0x68, 1 }, 6, 0, &e) ==
	      ENC_INPUT_REFUSED);
	CHECK(parse(&v, (const uint8_t[]){ 1, 3, 0xff, 0xff, 0xff, 0xff }, 6, 0,
		    &e) == ENC_INPUT_REFUSED);
	CHECK(enc_input_parse(&v, (const uint8_t[]){ 1, 3, 0, 0, 0, 0 }, 6, 0,
			      0, 0, &e) == ENC_INPUT_REFUSED);
	/* wheel: up to 32 notches either way, never nothing */
	CHECK(parse(&v, (const uint8_t[]){ 1, 4, 0x00, 0x0f, 0, 0x0f }, 6, 0,
		    &e) == ENC_INPUT_OK);
	CHECK(e.dx == 3840 && e.dy == 3840);
	CHECK(parse(&v, (const uint8_t[]){ 1, 4, 0x00, 0xf1, 0, 0 }, 6, 0,
		    &e) == ENC_INPUT_OK);
	CHECK(e.dx == -3840);
	CHECK(parse(&v, (const uint8_t[]){ 1, 4, 0x01, 0x0f, 0, 0 }, 6, 0,
		    &e) == ENC_INPUT_REFUSED);
	CHECK(parse(&v, (const uint8_t[]){ 1, 4, 0x00, 0x80, 0, 0 }, 6, 0,
		    &e) == ENC_INPUT_REFUSED);
	CHECK(parse(&v, (const uint8_t[]){ 1, 4, 0, 0, 0, 0 }, 6, 0, &e) ==
	      ENC_INPUT_REFUSED);
}

static void test_state(void)
{
	struct enc_input_viewer v;
	struct enc_input_event e;
	const uint8_t down[] = { 1, 1, 42, 0, 1 }, up[] = { 1, 1, 42, 0, 0 };

	enc_input_viewer_init(&v, 0);
	/* an up of nothing held, a second down: nothing to do */
	CHECK(parse(&v, up, 5, 0, &e) == ENC_INPUT_DROPPED);
	CHECK(parse(&v, down, 5, 0, &e) == ENC_INPUT_OK);
	CHECK(parse(&v, down, 5, 0, &e) == ENC_INPUT_DROPPED);
	CHECK(parse(&v, up, 5, 0, &e) == ENC_INPUT_OK);
	CHECK(parse(&v, (const uint8_t[]){ 1, 2, 2, 0 }, 4, 0, &e) ==
	      ENC_INPUT_DROPPED);
	CHECK(v.accepted == 2 && v.dropped == 3 && v.over_budget == 0);
}

/* 10000 events in one instant: the burst passes, the rest is dropped;
 * held keys are still released; the budget refills with time. */
static void test_flood(void)
{
	struct enc_input_viewer v;
	struct enc_input_event e;
	unsigned int ok = 0, i;
	uint8_t move[] = { 1, 3, 0, 0, 0, 0 };

	enc_input_viewer_init(&v, 1000000);
	CHECK(parse(&v, (const uint8_t[]){ 1, 1, 29, 0, 1 }, 5, 1000000, &e) ==
	      ENC_INPUT_OK);
	for (i = 0; i < 10000; i++) {
		move[2] = (uint8_t)i;
		ok += parse(&v, move, 6, 1000000, &e) == ENC_INPUT_OK;
	}
	CHECK(ok == ENC_INPUT_BURST - 1);
	CHECK(v.over_budget == 10000 - ok);
	/* over budget, a new press is dropped, the release passes */
	CHECK(parse(&v, (const uint8_t[]){ 1, 1, 30, 0, 1 }, 5, 1000000, &e) ==
	      ENC_INPUT_DROPPED);
	CHECK(parse(&v, (const uint8_t[]){ 1, 1, 29, 0, 0 }, 5, 1000000, &e) ==
	      ENC_INPUT_OK);
	CHECK(!enc_input_viewer_holds(&v));
	/* 100 ms later: 25 more */
	ok = 0;
	for (i = 0; i < 100; i++)
		ok += parse(&v, move, 6, 1100000, &e) == ENC_INPUT_OK;
	CHECK(ok == ENC_INPUT_RATE / 10);
	/* a clock going back refills nothing */
	CHECK(parse(&v, move, 6, 0, &e) == ENC_INPUT_DROPPED);
	/* an idle minute refills to the burst, not beyond */
	ok = 0;
	for (i = 0; i < 2 * ENC_INPUT_BURST; i++)
		ok += parse(&v, move, 6, 61000000, &e) == ENC_INPUT_OK;
	CHECK(ok == ENC_INPUT_BURST);
}

int main(void)
{
	test_each_type();
	test_malformed();
	test_positions_and_wheel();
	test_state();
	test_flood();
	return check_result("input-message");
}
