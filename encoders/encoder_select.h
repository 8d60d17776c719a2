/* SPDX-License-Identifier: MIT */
/*
 * Which encoder a stream uses: the candidates in order of preference
 * (hardware first, with dma-buf input, then software) and the choice
 * among them. The choice asks an element table two questions per
 * candidate: does every element of its chain exist, and does the chain
 * actually encode a frame (a real probe, see encoder_probe.h). The
 * table is an interface so the order and the fall-through rules are
 * unit-tested without GStreamer (encoders/tests/test_encoder_select.c).
 *
 * No GStreamer types here: the server and the unit test include it.
 */
#ifndef ENC_ENCODER_SELECT_H
#define ENC_ENCODER_SELECT_H

#include <stdbool.h>
#include <stddef.h>

enum enc_codec {
	ENC_CODEC_H264,
	ENC_CODEC_VP8,
};

/* How the encoder is fed; encoder_chain.c builds the elements. */
enum enc_encoder_kind {
	ENC_ENCODER_VA,	   /* vah264enc: vapostproc imports the dma-buf */
	ENC_ENCODER_VAAPI, /* vaapih264enc: vaapipostproc imports it */
	ENC_ENCODER_NVENC, /* nvh264enc: glupload imports it (EGL) */
	ENC_ENCODER_V4L2,  /* v4l2h264enc: v4l2convert imports it */
	ENC_ENCODER_X264,  /* software: videoconvert reads the dma-buf */
	ENC_ENCODER_OPENH264,
	ENC_ENCODER_VP8,
};

struct enc_encoder_candidate {
	const char *name; /* the encoder's element factory */
	enum enc_codec codec;
	enum enc_encoder_kind kind;
	bool hardware;
	/* other element factories the chain needs, NULL-terminated */
	const char *const *needs;
};

struct enc_element_table {
	/* True if element factory @factory is registered. */
	bool (*exists)(const struct enc_element_table *table,
		       const char *factory);
	/* True if @candidate's whole chain reaches PLAYING and encodes a
	 * frame. Only asked when every element exists. */
	bool (*works)(const struct enc_element_table *table,
		      const struct enc_encoder_candidate *candidate);
};

/* Why a candidate was passed over, for the log. */
enum enc_encoder_verdict {
	ENC_ENCODER_NOT_CONSIDERED, /* a better one was chosen first */
	ENC_ENCODER_MISSING,	    /* an element of its chain is absent */
	ENC_ENCODER_BROKEN,	    /* present but the probe failed */
	ENC_ENCODER_NOT_WANTED,	    /* another codec, or not the forced one */
	ENC_ENCODER_CHOSEN,
};

/* The candidates in order of preference; *count set to their number. */
const struct enc_encoder_candidate *enc_encoder_candidates(size_t *count);

/*
 * The first candidate for @codec that exists and works according to
 * @table (borrowed). @forced (may be NULL) restricts the choice to the
 * candidate of that name: a user override that still has to work.
 * @verdicts (may be NULL) receives one verdict per candidate, in
 * enc_encoder_candidates() order. NULL if nothing qualifies.
 */
const struct enc_encoder_candidate *
enc_encoder_select(const struct enc_element_table *table, enum enc_codec codec,
		   const char *forced, enum enc_encoder_verdict *verdicts);

/* The candidate named @name, or NULL. */
const struct enc_encoder_candidate *enc_encoder_find(const char *name);

const char *enc_encoder_verdict_name(enum enc_encoder_verdict verdict);
const char *enc_codec_name(enum enc_codec codec);

#endif /* ENC_ENCODER_SELECT_H */
