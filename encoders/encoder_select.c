// SPDX-License-Identifier: MIT
#include <string.h>

#include "encoder_select.h"

static const char *const needs_va[] = { "vapostproc", NULL };
static const char *const needs_vaapi[] = { "vaapipostproc", NULL };
static const char *const needs_nvenc[] = { "glupload", "glcolorconvert", NULL };
static const char *const needs_v4l2[] = { "v4l2convert", NULL };
static const char *const needs_software[] = { "videoconvert", NULL };

/*
 * The order: VA-API (the current va plugin, then the older
 * gstreamer-vaapi), NVENC, V4L2 mem2mem, then software. x264 before
 * openh264: zerolatency with no B-frames and a short GOP is what a
 * remote desktop wants, openh264 is the patent-licensed fallback.
 */
static const struct enc_encoder_candidate candidates[] = {
	{ "vah264enc", ENC_CODEC_H264, ENC_ENCODER_VA, true, needs_va },
	{ "vaapih264enc", ENC_CODEC_H264, ENC_ENCODER_VAAPI, true,
	  needs_vaapi },
	{ "nvh264enc", ENC_CODEC_H264, ENC_ENCODER_NVENC, true, needs_nvenc },
	{ "v4l2h264enc", ENC_CODEC_H264, ENC_ENCODER_V4L2, true, needs_v4l2 },
	{ "x264enc", ENC_CODEC_H264, ENC_ENCODER_X264, false, needs_software },
	{ "openh264enc", ENC_CODEC_H264, ENC_ENCODER_OPENH264, false,
	  needs_software },
	{ "vp8enc", ENC_CODEC_VP8, ENC_ENCODER_VP8, false, needs_software },
};

#define NR_CANDIDATES (sizeof(candidates) / sizeof(candidates[0]))

const struct enc_encoder_candidate *enc_encoder_candidates(size_t *count)
{
	*count = NR_CANDIDATES;
	return candidates;
}

const struct enc_encoder_candidate *enc_encoder_find(const char *name)
{
	size_t i;

	for (i = 0; i < NR_CANDIDATES; i++)
		if (!strcmp(candidates[i].name, name))
			return &candidates[i];
	return NULL;
}

static bool chain_exists(const struct enc_element_table *table,
			 const struct enc_encoder_candidate *c)
{
	const char *const *need;

	if (!table->exists(table, c->name))
		return false;
	for (need = c->needs; need && *need; need++)
		if (!table->exists(table, *need))
			return false;
	return true;
}

const struct enc_encoder_candidate *
enc_encoder_select(const struct enc_element_table *table, enum enc_codec codec,
		   const char *forced, enum enc_encoder_verdict *verdicts)
{
	const struct enc_encoder_candidate *chosen = NULL;
	size_t i;

	for (i = 0; i < NR_CANDIDATES; i++) {
		const struct enc_encoder_candidate *c = &candidates[i];
		enum enc_encoder_verdict v;

		if (chosen)
			v = ENC_ENCODER_NOT_CONSIDERED;
		else if (c->codec != codec ||
			 (forced && strcmp(forced, c->name)))
			v = ENC_ENCODER_NOT_WANTED;
		else if (!chain_exists(table, c))
			v = ENC_ENCODER_MISSING;
		else if (!table->works(table, c))
			v = ENC_ENCODER_BROKEN;
		else
			v = ENC_ENCODER_CHOSEN;
		if (v == ENC_ENCODER_CHOSEN)
			chosen = c;
		if (verdicts)
			verdicts[i] = v;
	}
	return chosen;
}

const char *enc_encoder_verdict_name(enum enc_encoder_verdict verdict)
{
	switch (verdict) {
	case ENC_ENCODER_MISSING:
		return "not installed";
	case ENC_ENCODER_BROKEN:
		return "present but does not encode";
	case ENC_ENCODER_NOT_WANTED:
		return "not wanted";
	case ENC_ENCODER_CHOSEN:
		return "chosen";
	default:
		return "not needed";
	}
}

const char *enc_codec_name(enum enc_codec codec)
{
	return codec == ENC_CODEC_VP8 ? "vp8" : "h264";
}
