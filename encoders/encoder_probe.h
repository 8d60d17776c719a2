/* SPDX-License-Identifier: MIT */
/*
 * The real element table behind enc_encoder_select(): GStreamer's
 * registry says what exists; "works" is a probe that builds the
 * candidate's chain (encoder_chain.h) behind videotestsrc, plays two
 * 320x240 frames into a fakesink and waits for EOS. A hardware encoder
 * whose plugin is installed but has no device fails there, so the next
 * candidate is tried. The probe feeds system memory: whether the
 * driver also imports our dma-bufs shows at the first frame, and a
 * failure then is logged by the stream.
 */
#ifndef ENC_ENCODER_PROBE_H
#define ENC_ENCODER_PROBE_H

#include "encoder_select.h"

/*
 * gst_init() (idempotent), then select and log the encoder for @codec:
 * one line per candidate with its verdict, then the choice. @forced as
 * in enc_encoder_select(). NULL after logging that nothing works.
 */
const struct enc_encoder_candidate *enc_encoder_choose(enum enc_codec codec,
						       const char *forced);

#endif /* ENC_ENCODER_PROBE_H */
