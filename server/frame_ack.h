/* SPDX-License-Identifier: MIT */
/*
 * The one owner of a head's flip acknowledgements in vplaned: when the
 * guest may be told that a flip completed (vplane.ko's ACK_FLIP, which
 * raises the guest's flip-done), so that the guest never draws into a
 * buffer that is still on screen or still read by an encoder.
 *
 * A state machine with explicit inputs and one output, the send callback
 * ("ack flip @seq now"; an ack covers every earlier flip of the head, as
 * the driver's does). It knows nothing of wlroots, so its unit test
 * (server/tests/test_frame_ack.c) drives it through every order of its
 * inputs:
 *
 * - vpd_frame_ack_show()/hide(): an output shows the head, or no longer
 *   does (detached, the output or the head went away).
 * - vpd_frame_ack_flip(): the guest latched flip @seq. A head shown on no
 *   output acks it at once: no present will ever come for it.
 * - vpd_frame_ack_commit(): the output committed a frame showing flip @seq
 *   as its commit @commit_seq.
 * - vpd_frame_ack_present(): the output presented commit @commit_seq (or
 *   discarded it: a later commit replaced it). It resolves every commit up
 *   to @commit_seq, in whichever order commit and present arrive: wlroots
 *   0.15's headless backend presents inside the commit, before the output
 *   learns the commit succeeded; the DRM backend presents at the page flip,
 *   later.
 * - vpd_frame_ack_hold()/release()/expire(): a consumer (an encoder) reads
 *   the frame; an ack due meanwhile waits for the last hold, but never past
 *   a hold's deadline.
 *
 * An ack goes out once a commit showing the flip is resolved and no hold
 * is taken, exactly once and in sequence order: a flip already covered by
 * an ack is never acked again. hide() drops the commits not yet presented
 * (the head is no longer shown: no present of them will be told) and keeps
 * an ack that is due and only waits for holds. All on one thread (the event
 * loop); nothing here blocks or allocates.
 */
#ifndef VPD_FRAME_ACK_H
#define VPD_FRAME_ACK_H

#include <stdbool.h>
#include <stdint.h>

/* Commits in flight per output: one or two in practice (a page flip
 * pending and the next commit). */
#define VPD_FRAME_ACK_MAX_COMMITS 4

/* Tell the guest that its flips up to @seq completed. */
typedef void (*vpd_frame_ack_send_fn)(void *data, uint32_t seq);

/* One consumer's hold on the acks, owned (embedded) by the consumer. */
struct vpd_frame_ack_hold {
	bool active;	      /* taken, not yet released or expired */
	uint64_t taken_ns;    /* CLOCK_MONOTONIC */
	uint64_t deadline_ns; /* expire() releases it from here on */
	struct vpd_frame_ack_hold *prev, *next; /* vpd_frame_ack.holds */
};

struct vpd_frame_ack {
	vpd_frame_ack_send_fn send;
	void *data;
	bool shown; /* an output shows the head */

	/* commits showing a flip, oldest first, until presents resolve
	 * them; past VPD_FRAME_ACK_MAX_COMMITS the oldest is dropped (acked
	 * with a newer one) */
	struct vpd_frame_ack_committed {
		uint32_t commit_seq;
		uint32_t flip_seq;
		uint64_t flip_ns; /* its latch, 0 if unknown */
	} commits[VPD_FRAME_ACK_MAX_COMMITS];
	unsigned int nr_commits;

	/* the newest present not matched by a commit yet (it came first) */
	bool early_present;
	uint32_t early_commit_seq;
	bool early_shown;
	uint64_t early_when_ns;

	/* the newest flip acked (or due and waiting for the holds) */
	bool acked_any;
	uint32_t last_acked;
	bool deferred; /* due, waiting for the holds */
	uint32_t deferred_seq;

	struct vpd_frame_ack_hold holds; /* list head: active holds */
	unsigned int nr_holds;

	/* statistics for the control protocol (manager.c) */
	uint64_t frames_presented; /* new frames presented on an output */
	uint64_t last_latency_ns;  /* latch to present, newest presented */
};

/* Shown nowhere, nothing acked; @send(@data, seq) sends each ack. */
void vpd_frame_ack_init(struct vpd_frame_ack *fa, vpd_frame_ack_send_fn send,
			void *data);

/* Nothing may be held any more (asserted): consumers release first. */
void vpd_frame_ack_finish(struct vpd_frame_ack *fa);

/* An output shows the head from now on; commit sequence numbers are that
 * output's. */
void vpd_frame_ack_show(struct vpd_frame_ack *fa);

/* No output shows the head now: a commit not yet presented is forgotten
 * (never acked on its account); an ack already due still goes out when the
 * holds are released. From here on flips are acked as they come. */
void vpd_frame_ack_hide(struct vpd_frame_ack *fa);

/* The guest latched flip @seq (the head's newest). Shown nowhere: acked
 * now (or when the holds are released). Shown: its commit and present
 * decide. */
void vpd_frame_ack_flip(struct vpd_frame_ack *fa, uint32_t seq);

/*
 * The output committed @commit_seq showing flip @flip_seq (latched at
 * @flip_ns, CLOCK_MONOTONIC, 0 if unknown); commits are reported in the
 * order they were made. Ignored while the head is shown nowhere.
 */
void vpd_frame_ack_commit(struct vpd_frame_ack *fa, uint32_t commit_seq,
			  uint32_t flip_seq, uint64_t flip_ns);

/*
 * The output presented commit @commit_seq at @when_ns (0 if unknown);
 * @shown is false when it was discarded instead. Resolves every commit
 * up to @commit_seq and acks the newest flip they showed; a present of a
 * commit not yet reported is kept until vpd_frame_ack_commit() reports it.
 * That flip is counted presented (frames_presented, last_latency_ns) if
 * @shown. Ignored while shown nowhere.
 */
void vpd_frame_ack_present(struct vpd_frame_ack *fa, uint32_t commit_seq,
			   bool shown, uint64_t when_ns);

/* A consumer reads the head's frame from @now_ns: acks wait until
 * @hold is released, or at most until @deadline_ns (vpd_frame_ack_expire()).
 * @hold is borrowed until released or expired. */
void vpd_frame_ack_hold(struct vpd_frame_ack *fa,
			struct vpd_frame_ack_hold *hold, uint64_t now_ns,
			uint64_t deadline_ns);

/* The consumer is done: true if @hold was still taken (released in
 * time), false if it had expired or was never taken. May send the ack
 * that waited for it. */
bool vpd_frame_ack_release(struct vpd_frame_ack *fa,
			   struct vpd_frame_ack_hold *hold);

/* Release every hold whose deadline is at or before @now_ns, as if its
 * consumer were done (a stuck encoder must not stall the guest). Returns
 * how many expired (each a late ack for the consumer's statistics). */
unsigned int vpd_frame_ack_expire(struct vpd_frame_ack *fa, uint64_t now_ns);

/* The earliest deadline of a taken hold into @deadline_ns; false if
 * nothing is held. */
bool vpd_frame_ack_next_deadline(const struct vpd_frame_ack *fa,
				 uint64_t *deadline_ns);

#endif /* VPD_FRAME_ACK_H */
