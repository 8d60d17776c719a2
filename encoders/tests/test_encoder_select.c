// SPDX-License-Identifier: MIT
/* enc_encoder_select() against fake element tables: the preference
 * order, fall-through on missing elements and failed probes, the forced
 * encoder and the codec filter. */
#include <stdio.h>
#include <string.h>

#include "../../server/libvplane/tests/check.h"
#include "encoder_select.h"

struct fake_table {
	struct enc_element_table base;
	const char *const *present; /* NULL-terminated */
	const char *const *working; /* encoders whose probe succeeds */
	char probed[256];	    /* "name," per works() call */
};

static bool in_list(const char *const *list, const char *name)
{
	for (; list && *list; list++)
		if (!strcmp(*list, name))
			return true;
	return false;
}

static bool fake_exists(const struct enc_element_table *table,
			const char *factory)
{
	const struct fake_table *t = (const struct fake_table *)table;

	return in_list(t->present, factory);
}

static bool fake_works(const struct enc_element_table *table,
		       const struct enc_encoder_candidate *c)
{
	struct fake_table *t = (struct fake_table *)table;

	strncat(t->probed, c->name, sizeof(t->probed) - strlen(t->probed) - 2);
	strcat(t->probed, ",");
	return in_list(t->working, c->name);
}

static struct fake_table table(const char *const *present,
			       const char *const *working)
{
	return (struct fake_table){
		.base = { .exists = fake_exists, .works = fake_works },
		.present = present,
		.working = working,
	};
}

static enum enc_encoder_verdict verdict_of(const enum enc_encoder_verdict *v,
					   const char *name)
{
	size_t n, i;
	const struct enc_encoder_candidate *all = enc_encoder_candidates(&n);

	for (i = 0; i < n; i++)
		if (!strcmp(all[i].name, name))
			return v[i];
	return (enum enc_encoder_verdict) - 1;
}

static const char *const everything[] = {
	"vah264enc",	"vapostproc", "vaapih264enc",	"vaapipostproc",
	"nvh264enc",	"glupload",   "glcolorconvert", "v4l2h264enc",
	"v4l2convert",	"x264enc",    "openh264enc",	"vp8enc",
	"videoconvert", NULL,
};

static void test_order(void)
{
	enum enc_encoder_verdict v[16];
	struct fake_table t = table(everything, everything);
	const struct enc_encoder_candidate *c;

	/* everything works: VA-API wins, nothing after it is probed */
	c = enc_encoder_select(&t.base, ENC_CODEC_H264, NULL, v);
	CHECK(c && !strcmp(c->name, "vah264enc") && c->hardware);
	CHECK(!strcmp(t.probed, "vah264enc,"));
	CHECK(verdict_of(v, "x264enc") == ENC_ENCODER_NOT_CONSIDERED);
	CHECK(verdict_of(v, "vp8enc") == ENC_ENCODER_NOT_CONSIDERED);
}

static void test_software_only(void)
{
	/* our machines: only the software encoders are installed */
	static const char *const present[] = { "x264enc", "openh264enc",
					       "vp8enc", "videoconvert", NULL };
	enum enc_encoder_verdict v[16];
	struct fake_table t = table(present, present);
	const struct enc_encoder_candidate *c;

	c = enc_encoder_select(&t.base, ENC_CODEC_H264, NULL, v);
	CHECK(c && !strcmp(c->name, "x264enc") && !c->hardware);
	CHECK(!strcmp(t.probed, "x264enc,")); /* missing ones not probed */
	CHECK(verdict_of(v, "vah264enc") == ENC_ENCODER_MISSING);
	CHECK(verdict_of(v, "vaapih264enc") == ENC_ENCODER_MISSING);
	CHECK(verdict_of(v, "nvh264enc") == ENC_ENCODER_MISSING);
	CHECK(verdict_of(v, "v4l2h264enc") == ENC_ENCODER_MISSING);
	CHECK(verdict_of(v, "x264enc") == ENC_ENCODER_CHOSEN);
	CHECK(verdict_of(v, "openh264enc") == ENC_ENCODER_NOT_CONSIDERED);
}

static void test_fall_through(void)
{
	/* VA's encoder without its postproc is missing; VAAPI's plugin is
	 * installed but has no device (probe fails); NVENC works */
	static const char *const present[] = {
		"vah264enc", "vaapih264enc", "vaapipostproc",
		"nvh264enc", "glupload",     "glcolorconvert",
		"x264enc",   "videoconvert", NULL,
	};
	static const char *const working[] = { "nvh264enc", "x264enc", NULL };
	enum enc_encoder_verdict v[16];
	struct fake_table t = table(present, working);
	const struct enc_encoder_candidate *c;

	c = enc_encoder_select(&t.base, ENC_CODEC_H264, NULL, v);
	CHECK(c && !strcmp(c->name, "nvh264enc"));
	CHECK(verdict_of(v, "vah264enc") == ENC_ENCODER_MISSING);
	CHECK(verdict_of(v, "vaapih264enc") == ENC_ENCODER_BROKEN);
	CHECK(!strcmp(t.probed, "vaapih264enc,nvh264enc,"));

	/* without NVENC's GL helpers it falls through to software */
	static const char *const no_gl[] = { "nvh264enc", "x264enc",
					     "videoconvert", NULL };
	t = table(no_gl, working);
	c = enc_encoder_select(&t.base, ENC_CODEC_H264, NULL, v);
	CHECK(c && !strcmp(c->name, "x264enc"));
	CHECK(verdict_of(v, "nvh264enc") == ENC_ENCODER_MISSING);

	/* a broken x264 falls to openh264 */
	static const char *const sw[] = { "x264enc", "openh264enc",
					  "videoconvert", NULL };
	static const char *const only_openh264[] = { "openh264enc", NULL };
	t = table(sw, only_openh264);
	c = enc_encoder_select(&t.base, ENC_CODEC_H264, NULL, v);
	CHECK(c && !strcmp(c->name, "openh264enc"));
	CHECK(verdict_of(v, "x264enc") == ENC_ENCODER_BROKEN);
}

static void test_nothing(void)
{
	static const char *const none[] = { NULL };
	enum enc_encoder_verdict v[16];
	struct fake_table t = table(none, none);

	CHECK(!enc_encoder_select(&t.base, ENC_CODEC_H264, NULL, v));
	CHECK(verdict_of(v, "x264enc") == ENC_ENCODER_MISSING);
	CHECK(t.probed[0] == 0);
	/* videoconvert missing makes every software encoder missing */
	static const char *const no_convert[] = { "x264enc", "openh264enc",
						  NULL };
	t = table(no_convert, no_convert);
	CHECK(!enc_encoder_select(&t.base, ENC_CODEC_H264, NULL, NULL));
}

static void test_forced_and_codec(void)
{
	enum enc_encoder_verdict v[16];
	struct fake_table t = table(everything, everything);
	const struct enc_encoder_candidate *c;

	c = enc_encoder_select(&t.base, ENC_CODEC_H264, "openh264enc", v);
	CHECK(c && !strcmp(c->name, "openh264enc"));
	CHECK(verdict_of(v, "vah264enc") == ENC_ENCODER_NOT_WANTED);
	CHECK(!strcmp(t.probed, "openh264enc,"));

	/* a forced encoder still has to work */
	static const char *const none[] = { NULL };
	t = table(everything, none);
	CHECK(!enc_encoder_select(&t.base, ENC_CODEC_H264, "nvh264enc", v));
	CHECK(verdict_of(v, "nvh264enc") == ENC_ENCODER_BROKEN);

	/* VP8 for transports that need it; H.264 encoders not wanted */
	t = table(everything, everything);
	c = enc_encoder_select(&t.base, ENC_CODEC_VP8, NULL, v);
	CHECK(c && !strcmp(c->name, "vp8enc") && c->codec == ENC_CODEC_VP8);
	CHECK(verdict_of(v, "vah264enc") == ENC_ENCODER_NOT_WANTED);
	CHECK(verdict_of(v, "x264enc") == ENC_ENCODER_NOT_WANTED);
	/* forcing an encoder of the other codec gives nothing */
	CHECK(!enc_encoder_select(&t.base, ENC_CODEC_VP8, "x264enc", NULL));
	CHECK(enc_encoder_find("x264enc") && !enc_encoder_find("nosuchenc"));
}

int main(void)
{
	test_order();
	test_software_only();
	test_fall_through();
	test_nothing();
	test_forced_and_codec();
	return check_result("encoder-select");
}
