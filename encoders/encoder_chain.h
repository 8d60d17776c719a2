/* SPDX-License-Identifier: MIT */
/*
 * The elements between raw frames and an encoded elementary stream for
 * one encoder candidate, built element by element (every creation and
 * link checked):
 *
 *   VA      vapostproc ! VAMemory NV12 ! queue ! vah264enc ! h264parse
 *   VAAPI   vaapipostproc ! VASurface NV12 ! queue ! vaapih264enc ! h264parse
 *   NVENC   glupload ! glcolorconvert ! GLMemory NV12 ! queue ! nvh264enc !
 *           h264parse
 *   V4L2    v4l2convert (dmabuf-import) ! NV12 ! queue ! v4l2h264enc !
 *           h264parse
 *   x264    videoconvert ! I420 (Y444 with chroma 4:4:4) ! videobox !
 *           queue ! x264enc ! h264parse
 *   openh264  videoconvert ! I420 ! videobox ! queue ! openh264enc !
 *           h264parse
 *   vp8     videoconvert ! I420 ! videobox ! queue ! vp8enc
 *
 * The first element reads the dma-buf (hardware: imports it; software:
 * videoconvert maps it, the encoder side's one read) and produces a
 * frame of its own, so the guest's buffer is released as soon as it is
 * converted. The queue after it is leaky (drops the oldest) and short,
 * so a slow encoder drops frames instead of holding guest buffers or
 * stalling the compositor. The software chains pad an odd width or
 * height by one black column or row (videobox, right and bottom): every
 * mode a guest may set is one the encoder takes. H.264 leaves as byte-stream access units with
 * SPS/PPS before every IDR (late joiners decode from any keyframe).
 */
#ifndef ENC_ENCODER_CHAIN_H
#define ENC_ENCODER_CHAIN_H

#include <stdbool.h>

#include <gst/gst.h>

#include "encoder_select.h"

/* Frames between two forced keyframes (short GOP for late joiners). */
#define ENC_ENCODER_GOP		30
/*
 * The frame rate the caps announce. Frames come on flips, not at this
 * rate, and timestamps are real; but 0/1 ("variable") makes x264 hold
 * every frame back by one (its VFR input delay), so the caps name the
 * usual desktop rate and rate control uses constant quality where the
 * encoder has it.
 */
#define ENC_ENCODER_NOMINAL_FPS 30
/* Target bitrate, kbit/s, where an encoder needs one. */
#define ENC_ENCODER_KBPS	4000

struct enc_encoder_chain {
	GstElement *first;   /* link raw frames into its sink pad */
	GstElement *encoder; /* force-key-unit events go to its src pad */
	GstElement *last;    /* the encoded stream leaves its src pad */
};

/*
 * Create @candidate's elements in @bin (borrowed) and link them. False
 * after logging which element is missing or would not link; elements
 * already added stay in @bin (the caller disposes of it). @chroma444:
 * full-resolution chroma (H.264 High 4:4:4), where the encoder has it
 * (x264); the others encode 4:2:0 whatever is asked.
 */
bool enc_encoder_chain_build(GstBin *bin,
			     const struct enc_encoder_candidate *candidate,
			     bool chroma444, struct enc_encoder_chain *chain);

/* Whether @candidate encodes 4:4:4 when asked. */
bool enc_encoder_chain_has_444(const struct enc_encoder_candidate *candidate);

/*
 * Caps for raw frames of GStreamer @format into @candidate's chain:
 * memory:DMABuf for the chains that import dma-bufs, plain system-memory
 * caps for software (videoconvert maps the dma-buf memory), at
 * ENC_ENCODER_NOMINAL_FPS.
 */
GstCaps *enc_encoder_chain_input_caps(const struct enc_encoder_candidate *c,
				      const char *format, int width,
				      int height);

/* Caps of the encoded stream @candidate produces. */
GstCaps *enc_encoder_chain_output_caps(const struct enc_encoder_candidate *c);

#endif /* ENC_ENCODER_CHAIN_H */
