// SPDX-License-Identifier: MIT
/*
 * The frame/ack state machine (server/frame_ack.c) driven through every
 * order of short event sequences, against an oracle that follows the same
 * events:
 *
 *   F  the guest flips (the next sequence number)
 *   C  the output reports its next commit, showing the newest flip
 *   P  commit 1 is presented (before or after C reports it: headless
 *      presents inside the commit, DRM at the page flip); Q: commit 2
 *   H  an encoder takes hold 1; R releases it; J, K: hold 2
 *   T  the hold bound passes (vpd_frame_ack_expire())
 *   X  the head is removed from its output (later C, P, Q go elsewhere)
 *
 * each present once as shown and once as discarded. Checked at every ack:
 * sequence numbers strictly increase (each flip acked once, in order, a
 * superseded flip no later than its successor), the flip is due (a commit
 * showing it was reported and resolved by a present, both while the head
 * was shown, or it was flipped while shown nowhere), and no hold is
 * taken. After every event: with no hold taken, everything due is acked
 * (so a hold delays an ack no longer than its bound, and removal leaves
 * no due ack behind). Then a few orders spelled out, and the figures.
 */
#include <stdlib.h>

#include "../libvplane/tests/check.h"
#include "frame_ack.h"

#define BOUND_NS  50000000ull
#define MAX_SEQ	  8
#define MAX_HOLDS 2

struct run {
	struct vpd_frame_ack fa;
	struct vpd_frame_ack_hold hold[MAX_HOLDS];
	const char *order; /* for messages */
	bool presents_shown;

	/* the oracle */
	bool held[MAX_HOLDS];
	bool hidden;
	uint32_t newest;	       /* newest flip, 0: none yet */
	uint32_t nr_commits;	       /* commits the output made */
	uint32_t commit_flip[MAX_SEQ]; /* reported: the flip it shows, else 0 */
	bool presented[MAX_SEQ];       /* its present reached the head */
	uint32_t due;	/* the newest flip the guest may be told of */
	uint32_t acked; /* the newest acked, 0: none */
	uint64_t now;
	bool failed;
};

static void fail(struct run *run, const char *what, uint32_t seq)
{
	if (!run->failed)
		fprintf(stderr, "FAIL order %s (presents %s): %s (seq %u)\n",
			run->order, run->presents_shown ? "shown" : "discarded",
			what, seq);
	run->failed = true;
	check_failures++;
}

static bool any_held(const struct run *run)
{
	for (unsigned int i = 0; i < MAX_HOLDS; i++)
		if (run->held[i])
			return true;
	return false;
}

static void send_ack(void *data, uint32_t seq)
{
	struct run *run = data;

	if (run->acked && seq <= run->acked)
		fail(run, "acked again or out of order", seq);
	if (seq == 0 || seq > run->due)
		fail(run, "acked before its present", seq);
	if (any_held(run))
		fail(run, "acked while held", seq);
	run->acked = seq;
}

/* What the guest may be told: reported commits resolved by a present of
 * them or of a later commit. */
static void update_due(struct run *run)
{
	for (uint32_t c = 1; c <= run->nr_commits; c++) {
		if (!run->commit_flip[c])
			continue;
		for (uint32_t p = c; p < MAX_SEQ; p++)
			if (run->presented[p] && run->commit_flip[c] > run->due)
				run->due = run->commit_flip[c];
	}
}

static void present(struct run *run, uint32_t commit)
{
	if (run->hidden)
		return; /* the output shows another head now */
	run->presented[commit] = true;
	update_due(run);
	vpd_frame_ack_present(&run->fa, commit, run->presents_shown,
			      run->now + 1000);
}

static void release(struct run *run, unsigned int i)
{
	bool was = run->held[i];

	run->held[i] = false;
	if (vpd_frame_ack_release(&run->fa, &run->hold[i]) != was)
		fail(run, "release said the wrong thing", i);
}

static void event(struct run *run, char e)
{
	unsigned int expired = 0;

	switch (e) {
	case 'F': /* head.c: every flip, shown or not */
		run->newest++;
		if (run->hidden && run->newest > run->due)
			run->due = run->newest;
		vpd_frame_ack_flip(&run->fa, run->newest);
		break;
	case 'C': /* output.c: a commit with a flip to show, while shown */
		run->nr_commits++;
		if (run->hidden || !run->newest)
			break;
		run->commit_flip[run->nr_commits] = run->newest;
		update_due(run);
		vpd_frame_ack_commit(&run->fa, run->nr_commits, run->newest,
				     run->newest * 1000ull);
		break;
	case 'P':
		present(run, 1);
		break;
	case 'Q':
		present(run, 2);
		break;
	case 'H':
	case 'J':
		run->held[e == 'J'] = true;
		vpd_frame_ack_hold(&run->fa, &run->hold[e == 'J'], run->now,
				   run->now + BOUND_NS);
		break;
	case 'R':
	case 'K':
		release(run, e == 'K');
		break;
	case 'T': /* every hold taken so far is past its bound */
		run->now += BOUND_NS;
		for (unsigned int i = 0; i < MAX_HOLDS; i++)
			expired += run->held[i];
		memset(run->held, 0, sizeof(run->held));
		if (vpd_frame_ack_expire(&run->fa, run->now) != expired)
			fail(run, "expire counted wrong", expired);
		break;
	case 'X':
		run->hidden = true;
		vpd_frame_ack_hide(&run->fa);
		break;
	default:
		abort();
	}
	if (!any_held(run) && run->due > run->acked)
		fail(run, "due, not held and not acked", run->due);
}

static void run_order(const char *order, bool presents_shown)
{
	struct run run = { .order = order, .presents_shown = presents_shown };

	vpd_frame_ack_init(&run.fa, send_ack, &run);
	vpd_frame_ack_show(&run.fa);
	for (const char *e = order; *e; e++)
		event(&run, *e);
	/* the consumers end: whatever is still held goes */
	for (unsigned int i = 0; i < MAX_HOLDS; i++)
		release(&run, i);
	if (run.due > run.acked)
		fail(&run, "due, never acked", run.due);
	/* each flip counted presented at most once, and only if shown */
	if (run.fa.frames_presented > (presents_shown ? run.newest : 0))
		fail(&run, "frames presented miscounted",
		     (uint32_t)run.fa.frames_presented);
	vpd_frame_ack_finish(&run.fa);
}

/* The next permutation of @s (a multiset) in lexical order; false after
 * the last. */
static bool next_permutation(char *s, size_t n)
{
	size_t i = n - 1, j = n - 1;
	char t;

	while (i > 0 && s[i - 1] >= s[i])
		i--;
	if (i == 0)
		return false;
	while (s[j] <= s[i - 1])
		j--;
	t = s[i - 1], s[i - 1] = s[j], s[j] = t;
	for (j = n - 1; i < j; i++, j--)
		t = s[i], s[i] = s[j], s[j] = t;
	return true;
}

static int cmp_char(const void *a, const void *b)
{
	return *(const char *)a - *(const char *)b;
}

/* Every order of @events; returns how many. */
static unsigned long every_order(const char *events)
{
	char order[16];
	size_t n = strlen(events);
	unsigned long count = 0;

	snprintf(order, sizeof(order), "%s", events);
	qsort(order, n, 1, cmp_char);
	do {
		run_order(order, true);
		run_order(order, false);
		count++;
	} while (next_permutation(order, n) && check_failures < 20);
	fprintf(stderr, "%s: %lu orders\n", events, count);
	return count;
}

/* The acks one order produced, as a string of sequence numbers. */
static char acks_seen[64];

static void record_ack(void *data, uint32_t seq)
{
	size_t len = strlen(acks_seen);

	(void)data;
	snprintf(acks_seen + len, sizeof(acks_seen) - len, "%s%u",
		 len ? "," : "", seq);
}

/* A few orders with what must come out of them, and the figures. */
static void spelled_out(void)
{
	struct vpd_frame_ack fa;
	struct vpd_frame_ack_hold hold = { 0 };
	uint64_t deadline;

	/* headless with a viewer: precommit hold, present inside the
	 * commit, commit reported, encoder done */
	acks_seen[0] = 0;
	vpd_frame_ack_init(&fa, record_ack, NULL);
	vpd_frame_ack_show(&fa);
	vpd_frame_ack_flip(&fa, 7);
	vpd_frame_ack_hold(&fa, &hold, 100, 100 + BOUND_NS);
	vpd_frame_ack_present(&fa, 1, true, 5000);
	CHECK(!strcmp(acks_seen, ""));
	vpd_frame_ack_commit(&fa, 1, 7, 1000);
	CHECK(!strcmp(acks_seen, ""));
	CHECK(vpd_frame_ack_next_deadline(&fa, &deadline) &&
	      deadline == 100 + BOUND_NS);
	CHECK(vpd_frame_ack_release(&fa, &hold));
	CHECK(!strcmp(acks_seen, "7"));
	CHECK(fa.frames_presented == 1 && fa.last_latency_ns == 4000);
	CHECK(!vpd_frame_ack_next_deadline(&fa, &deadline));
	CHECK(!vpd_frame_ack_release(&fa, &hold));

	/* a redraw of the same flip (cursor): no second ack, not counted */
	vpd_frame_ack_commit(&fa, 2, 7, 1000);
	vpd_frame_ack_present(&fa, 2, true, 9000);
	CHECK(!strcmp(acks_seen, "7"));
	CHECK(fa.frames_presented == 1 && fa.last_latency_ns == 4000);

	/* DRM: two commits in flight, presented later, one at a time */
	vpd_frame_ack_flip(&fa, 8);
	vpd_frame_ack_commit(&fa, 3, 8, 10000);
	vpd_frame_ack_flip(&fa, 9);
	vpd_frame_ack_commit(&fa, 4, 9, 11000);
	vpd_frame_ack_present(&fa, 3, true, 12000);
	CHECK(!strcmp(acks_seen, "7,8"));
	vpd_frame_ack_present(&fa, 4, false, 13000); /* discarded */
	CHECK(!strcmp(acks_seen, "7,8,9"));
	CHECK(fa.frames_presented == 2 && fa.last_latency_ns == 2000);

	/* removed: a commit waiting for its present is never acked; flips
	 * from now on are acked as they come */
	vpd_frame_ack_flip(&fa, 10);
	vpd_frame_ack_commit(&fa, 5, 10, 14000);
	vpd_frame_ack_hide(&fa);
	vpd_frame_ack_present(&fa, 5, true, 15000);
	CHECK(!strcmp(acks_seen, "7,8,9"));
	vpd_frame_ack_flip(&fa, 11);
	CHECK(!strcmp(acks_seen, "7,8,9,11"));

	/* shown again: a flip acked while shown nowhere is not acked again */
	vpd_frame_ack_show(&fa);
	vpd_frame_ack_commit(&fa, 1, 11, 16000);
	vpd_frame_ack_present(&fa, 1, true, 17000);
	CHECK(!strcmp(acks_seen, "7,8,9,11"));

	/* a stuck encoder: the bound releases its hold, counted once */
	vpd_frame_ack_flip(&fa, 12);
	vpd_frame_ack_hold(&fa, &hold, 20000, 20000 + BOUND_NS);
	vpd_frame_ack_commit(&fa, 2, 12, 18000);
	vpd_frame_ack_present(&fa, 2, true, 19000);
	CHECK(vpd_frame_ack_expire(&fa, 20000 + BOUND_NS - 1) == 0);
	CHECK(!strcmp(acks_seen, "7,8,9,11"));
	CHECK(vpd_frame_ack_expire(&fa, 20000 + BOUND_NS) == 1);
	CHECK(!strcmp(acks_seen, "7,8,9,11,12"));
	CHECK(!vpd_frame_ack_release(&fa, &hold)); /* late: not in time */
	vpd_frame_ack_finish(&fa);

	/* sequence numbers wrap */
	acks_seen[0] = 0;
	vpd_frame_ack_init(&fa, record_ack, NULL);
	vpd_frame_ack_show(&fa);
	vpd_frame_ack_commit(&fa, UINT32_MAX, UINT32_MAX, 0);
	vpd_frame_ack_present(&fa, UINT32_MAX, true, 0);
	vpd_frame_ack_commit(&fa, 0, 0, 0);
	vpd_frame_ack_present(&fa, 0, true, 0);
	CHECK(!strcmp(acks_seen, "4294967295,0"));
	vpd_frame_ack_finish(&fa);
}

int main(void)
{
	/* one frame: hold, its bound, removal */
	CHECK(every_order("FCPHRTX") == 5040);
	/* two flips, two commits, presents in any order, a hold */
	CHECK(every_order("FFCCPQHR") == 10080);
	/* two frames and removal */
	CHECK(every_order("FFCCPQX") == 1260);
	/* two holds and the bound */
	CHECK(every_order("FCPHRJKT") == 40320);
	/* all of it */
	CHECK(every_order("FFCCPQHRTX") == 907200);
	spelled_out();
	return check_result("server-frame-ack");
}
