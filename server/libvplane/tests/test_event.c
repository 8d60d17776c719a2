// SPDX-License-Identifier: MIT
/* Pure helpers: sequence wrap-around and decoding of read() buffers. */
#include <stdint.h>
#include <stdlib.h>

#include "check.h"
#include "vplane/event.h"

#define EVSZ sizeof(struct vplane_display_event)

static void test_seq(void)
{
	CHECK(vp_seq_after(1, 0));
	CHECK(!vp_seq_after(0, 1));
	CHECK(!vp_seq_after(5, 5));
	/* across the wrap */
	CHECK(vp_seq_after(0, UINT32_MAX));
	CHECK(!vp_seq_after(UINT32_MAX, 0));
	CHECK(vp_seq_after(5, UINT32_MAX - 10));
	CHECK(!vp_seq_after(UINT32_MAX - 10, 5));
	/* the half-range edge */
	CHECK(vp_seq_after(0x7fffffffu, 0));
	CHECK(!vp_seq_after(0, 0x7fffffffu));
	CHECK(!vp_seq_after(0x80000000u, 0));
	CHECK(!vp_seq_after(0, 0x80000000u));
	CHECK(vp_seq_after(0x80000001u, 2));
}

static void test_record_size(void)
{
	CHECK(EVSZ == 48); /* the v1 ABI */
	CHECK(vp_event_record_size_valid(EVSZ));
	CHECK(vp_event_record_size_valid(EVSZ + 8));
	CHECK(vp_event_record_size_valid(VP_EVENT_RECORD_MAX));
	CHECK(!vp_event_record_size_valid(0));
	CHECK(!vp_event_record_size_valid(EVSZ - 8));
	CHECK(!vp_event_record_size_valid(EVSZ + 4));
	CHECK(!vp_event_record_size_valid(VP_EVENT_RECORD_MAX + 8));
}

static struct vplane_display_event flip(uint32_t head, uint32_t seq)
{
	return (struct vplane_display_event){
		.type = VPLANE_EVENT_FLIP,
		.head = head,
		.plane = VPLANE_DISPLAY_PLANE_PRIMARY,
		.seq = seq,
		.dmabuf_id = seq + 100,
		.dropped = 2,
		.timestamp_ns = 123456789012ull + seq,
		.x = -3,
		.y = 4,
	};
}

static void test_decode_multiple(void)
{
	struct vplane_display_event in[3] = {
		flip(0, 7),
		{ .type = VPLANE_EVENT_CURSOR_MOVE,
		  .head = 1,
		  .plane = VPLANE_DISPLAY_PLANE_CURSOR,
		  .x = -20,
		  .y = 30 },
		{ .type = VPLANE_EVENT_MODE,
		  .head = 1,
		  .width = 1920,
		  .height = 1080 },
	};
	struct vplane_display_event out[4];
	size_t n = 99, unknown = 0;

	CHECK(vp_event_decode(in, sizeof(in), EVSZ, out, 4, &n, &unknown));
	CHECK(n == 3 && unknown == 0);
	CHECK(memcmp(in, out, sizeof(in)) == 0);

	/* nothing read: fine, nothing decoded */
	CHECK(vp_event_decode(in, 0, EVSZ, out, 4, &n, NULL));
	CHECK(n == 0);

	/* too little room is refused, not truncated */
	CHECK(!vp_event_decode(in, sizeof(in), EVSZ, out, 2, &n, &unknown));
	CHECK(n == 0);
}

static void test_decode_partial(void)
{
	unsigned char buf[3 * EVSZ] = { 0 };
	struct vplane_display_event ev = flip(0, 1), out[4];
	size_t n = 99, unknown = 0;

	memcpy(buf, &ev, EVSZ);
	memcpy(buf + EVSZ, &ev, EVSZ);
	CHECK(!vp_event_decode(buf, EVSZ + 10, EVSZ, out, 4, &n, &unknown));
	CHECK(n == 0 && unknown == 0);
	CHECK(!vp_event_decode(buf, 10, EVSZ, out, 4, &n, &unknown));
	CHECK(!vp_event_decode(buf, 2 * EVSZ - 1, EVSZ, out, 4, &n, NULL));
	/* an invalid record size */
	CHECK(!vp_event_decode(buf, 2 * EVSZ, EVSZ / 2, out, 8, &n, NULL));
	CHECK(!vp_event_decode(buf, EVSZ, EVSZ - 8, out, 8, &n, NULL));
	/* the whole ones are fine */
	CHECK(vp_event_decode(buf, 2 * EVSZ, EVSZ, out, 4, &n, NULL));
	CHECK(n == 2);
}

static void test_decode_unknown(void)
{
	struct vplane_display_event in[5] = {
		flip(0, 1),
		{ .type = 42 },
		{ .type = VPLANE_EVENT_RESET },
		{ .type = 0 },
		{ .type = VPLANE_EVENT_OVERFLOW },
	};
	struct vplane_display_event out[5];
	size_t n, unknown = 5;

	CHECK(vp_event_decode(in, sizeof(in), EVSZ, out, 5, &n, &unknown));
	CHECK(n == 3);
	CHECK(unknown == 7); /* added to what was there */
	CHECK(out[0].type == VPLANE_EVENT_FLIP && out[0].seq == 1);
	CHECK(out[1].type == VPLANE_EVENT_RESET);
	CHECK(out[2].type == VPLANE_EVENT_OVERFLOW);
	CHECK(!vp_event_type_known(0) && !vp_event_type_known(6));
}

/* A newer driver's longer records: the v1 prefix is decoded, the tail
 * ignored; and records need not be aligned in the buffer. */
static void test_decode_stride(void)
{
	const size_t stride = EVSZ + 16;
	unsigned char *buf = malloc(3 * stride + 1);
	struct vplane_display_event out[3];
	size_t n, unknown = 0, i;

	CHECK(buf);
	if (!buf)
		return;
	memset(buf, 0xee, 3 * stride + 1);
	for (i = 0; i < 3; i++) {
		struct vplane_display_event ev = flip(i, 1000 + i);

		memcpy(buf + 1 + i * stride, &ev, EVSZ);
	}
	CHECK(vp_event_decode(buf + 1, 3 * stride, stride, out, 3, &n,
			      &unknown));
	CHECK(n == 3 && unknown == 0);
	for (i = 0; i < n; i++) {
		struct vplane_display_event want = flip(i, 1000 + i);

		CHECK(memcmp(&out[i], &want, EVSZ) == 0);
	}
	free(buf);
}

int main(void)
{
	test_seq();
	test_record_size();
	test_decode_multiple();
	test_decode_partial();
	test_decode_unknown();
	test_decode_stride();
	return check_result("event");
}
