// SPDX-License-Identifier: MIT
#include <assert.h>
#include <stddef.h>

#include <vplane/event.h>

#include "frame_ack.h"

/* @a is @b or older (commit sequences, wrap-around safe). */
static bool commit_at_or_before(uint32_t a, uint32_t b)
{
	return !vp_seq_after(a, b);
}

void vpd_frame_ack_init(struct vpd_frame_ack *fa, vpd_frame_ack_send_fn send,
			void *data)
{
	*fa = (struct vpd_frame_ack){ .send = send, .data = data };
	fa->holds.prev = fa->holds.next = &fa->holds;
}

void vpd_frame_ack_finish(struct vpd_frame_ack *fa)
{
	assert(fa->nr_holds == 0 && fa->holds.next == &fa->holds);
	fa->deferred = false;
}

/* Ack @seq now, or when the last hold goes. Never twice, never backwards. */
static void ack(struct vpd_frame_ack *fa, uint32_t seq)
{
	if (fa->acked_any && !vp_seq_after(seq, fa->last_acked))
		return;
	fa->acked_any = true;
	fa->last_acked = seq;
	if (fa->nr_holds) {
		fa->deferred = true;
		fa->deferred_seq = seq;
		return;
	}
	fa->send(fa->data, seq);
}

/* The holds are gone: send what waited for them. */
static void holds_gone(struct vpd_frame_ack *fa)
{
	if (fa->nr_holds || !fa->deferred)
		return;
	fa->deferred = false;
	fa->send(fa->data, fa->deferred_seq);
}

static void forget_commits(struct vpd_frame_ack *fa)
{
	fa->nr_commits = 0;
	fa->early_present = false;
}

void vpd_frame_ack_show(struct vpd_frame_ack *fa)
{
	fa->shown = true;
	forget_commits(fa);
}

void vpd_frame_ack_hide(struct vpd_frame_ack *fa)
{
	fa->shown = false;
	forget_commits(fa);
}

void vpd_frame_ack_flip(struct vpd_frame_ack *fa, uint32_t seq)
{
	if (!fa->shown)
		ack(fa, seq);
}

/*
 * Commits up to @commit_seq were presented (@shown) or discarded at
 * @when_ns: they leave the queue, and the newest of them is acked (it
 * covers the others) unless it shows no new flip (a redraw, the cursor).
 */
static void resolve(struct vpd_frame_ack *fa, uint32_t commit_seq, bool shown,
		    uint64_t when_ns)
{
	struct vpd_frame_ack_committed newest;
	unsigned int n = 0, i;

	while (n < fa->nr_commits &&
	       commit_at_or_before(fa->commits[n].commit_seq, commit_seq))
		n++;
	if (!n)
		return;
	newest = fa->commits[n - 1];
	for (i = n; i < fa->nr_commits; i++)
		fa->commits[i - n] = fa->commits[i];
	fa->nr_commits -= n;
	if (fa->acked_any && !vp_seq_after(newest.flip_seq, fa->last_acked))
		return;
	if (shown) {
		fa->frames_presented++;
		if (newest.flip_ns && when_ns)
			fa->last_latency_ns = when_ns - newest.flip_ns;
	}
	ack(fa, newest.flip_seq);
}

void vpd_frame_ack_commit(struct vpd_frame_ack *fa, uint32_t commit_seq,
			  uint32_t flip_seq, uint64_t flip_ns)
{
	unsigned int i;

	if (!fa->shown)
		return;
	if (fa->nr_commits == VPD_FRAME_ACK_MAX_COMMITS) {
		/* the oldest goes; a newer commit's ack will cover it */
		for (i = 1; i < fa->nr_commits; i++)
			fa->commits[i - 1] = fa->commits[i];
		fa->nr_commits--;
	}
	fa->commits[fa->nr_commits++] = (struct vpd_frame_ack_committed){
		.commit_seq = commit_seq,
		.flip_seq = flip_seq,
		.flip_ns = flip_ns,
	};
	if (!fa->early_present)
		return;
	if (commit_at_or_before(commit_seq, fa->early_commit_seq)) {
		/* presented before we heard it succeeded (headless) */
		resolve(fa, commit_seq, fa->early_shown, fa->early_when_ns);
		return;
	}
	fa->early_present = false; /* it was a present of an older commit */
}

void vpd_frame_ack_present(struct vpd_frame_ack *fa, uint32_t commit_seq,
			   bool shown, uint64_t when_ns)
{
	if (!fa->shown)
		return;
	/* kept for a commit not reported yet (headless presents first) */
	if (!fa->early_present ||
	    vp_seq_after(commit_seq, fa->early_commit_seq)) {
		fa->early_present = true;
		fa->early_commit_seq = commit_seq;
		fa->early_shown = shown;
		fa->early_when_ns = when_ns;
	}
	resolve(fa, commit_seq, shown, when_ns);
}

void vpd_frame_ack_hold(struct vpd_frame_ack *fa,
			struct vpd_frame_ack_hold *hold, uint64_t now_ns,
			uint64_t deadline_ns)
{
	assert(!hold->active);
	hold->active = true;
	hold->taken_ns = now_ns;
	hold->deadline_ns = deadline_ns;
	hold->prev = fa->holds.prev;
	hold->next = &fa->holds;
	fa->holds.prev->next = hold;
	fa->holds.prev = hold;
	fa->nr_holds++;
}

/* Take @hold off the list; the caller decides when to send. */
static void drop_hold(struct vpd_frame_ack *fa, struct vpd_frame_ack_hold *hold)
{
	hold->prev->next = hold->next;
	hold->next->prev = hold->prev;
	hold->prev = hold->next = NULL;
	hold->active = false;
	assert(fa->nr_holds > 0);
	fa->nr_holds--;
}

bool vpd_frame_ack_release(struct vpd_frame_ack *fa,
			   struct vpd_frame_ack_hold *hold)
{
	if (!hold->active)
		return false;
	drop_hold(fa, hold);
	holds_gone(fa);
	return true;
}

unsigned int vpd_frame_ack_expire(struct vpd_frame_ack *fa, uint64_t now_ns)
{
	struct vpd_frame_ack_hold *hold = fa->holds.next, *next;
	unsigned int expired = 0;

	for (; hold != &fa->holds; hold = next) {
		next = hold->next;
		if (hold->deadline_ns > now_ns)
			continue;
		drop_hold(fa, hold);
		expired++;
	}
	if (expired)
		holds_gone(fa);
	return expired;
}

bool vpd_frame_ack_next_deadline(const struct vpd_frame_ack *fa,
				 uint64_t *deadline_ns)
{
	const struct vpd_frame_ack_hold *hold;
	bool any = false;

	for (hold = fa->holds.next; hold != &fa->holds; hold = hold->next) {
		if (!any || hold->deadline_ns < *deadline_ns)
			*deadline_ns = hold->deadline_ns;
		any = true;
	}
	return any;
}
