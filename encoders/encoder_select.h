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
#ifndef VP_ENCODER_SELECT_H
#define VP_ENCODER_SELECT_H

#include <stdbool.h>
#include <stddef.h>

enum vp_codec {
	VP_CODEC_H264,
	VP_CODEC_VP8,
};

/* How the encoder is fed; encoder_chain.c builds the elements. */
enum vp_encoder_kind {
	VP_ENCODER_VA,	  /* vah264enc: vapostproc imports the dma-buf */
	VP_ENCODER_VAAPI, /* vaapih264enc: vaapipostproc imports it */
	VP_ENCODER_NVENC, /* nvh264enc: glupload imports it (EGL) */
	VP_ENCODER_V4L2,  /* v4l2h264enc: v4l2convert imports it */
	VP_ENCODER_X264,  /* software: videoconvert reads the dma-buf */
	VP_ENCODER_OPENH264,
	VP_ENCODER_VP8,
};

struct vp_encoder_candidate {
	const char *name; /* the encoder's element factory */
	enum vp_codec codec;
	enum vp_encoder_kind kind;
	bool hardware;
	/* other element factories the chain needs, NULL-terminated */
	const char *const *needs;
};

struct vp_element_table {
	/* True if element factory @factory is registered. */
	bool (*exists)(const struct vp_element_table *table,
		       const char *factory);
	/* True if @candidate's whole chain reaches PLAYING and encodes a
	 * frame. Only asked when every element exists. */
	bool (*works)(const struct vp_element_table *table,
		      const struct vp_encoder_candidate *candidate);
};

/* Why a candidate was passed over, for the log. */
enum vp_encoder_verdict {
	VP_ENCODER_NOT_CONSIDERED, /* a better one was chosen first */
	VP_ENCODER_MISSING,	   /* an element of its chain is absent */
	VP_ENCODER_BROKEN,	   /* present but the probe failed */
	VP_ENCODER_NOT_WANTED,	   /* another codec, or not the forced one */
	VP_ENCODER_CHOSEN,
};

/* The candidates in order of preference; *count set to their number. */
const struct vp_encoder_candidate *vp_encoder_candidates(size_t *count);

/*
 * The first candidate for @codec that exists and works according to
 * @table (borrowed). @forced (may be NULL) restricts the choice to the
 * candidate of that name: a user override that still has to work.
 * @verdicts (may be NULL) receives one verdict per candidate, in
 * vp_encoder_candidates() order. NULL if nothing qualifies.
 */
const struct vp_encoder_candidate *
vp_encoder_select(const struct vp_element_table *table, enum vp_codec codec,
		  const char *forced, enum vp_encoder_verdict *verdicts);

/* The candidate named @name, or NULL. */
const struct vp_encoder_candidate *vp_encoder_find(const char *name);

const char *vp_encoder_verdict_name(enum vp_encoder_verdict verdict);
const char *vp_codec_name(enum vp_codec codec);

#endif /* VP_ENCODER_SELECT_H */
