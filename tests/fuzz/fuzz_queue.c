/*
 * fuzz_queue - libFuzzer target for the `postqueue -j` reader and what
 * is built on its model.
 *
 * The input is what postqueue prints, which carries text anyone who can
 * send mail chooses (addresses, and delay reasons quoting remote
 * servers), and what a connection cut at any byte leaves. The first byte
 * picks where the rest is cut into two pieces, so lines split across
 * feeds are covered. Afterwards the model must be consistent: every
 * message's ID passes queue_id_valid and is found again by queue_find,
 * recipients lie inside the array, the per-queue counts add up, and the
 * reader's counts agree. Then a filter, each sort order, the shape (both
 * ways) and the reason groups run over it; reason groups must account
 * for every recipient. Any violation aborts. Build with tests/fuzz/build.sh.
 *
 * FUZZ_LIBS: -lcrypto -ljson-c
 * FUZZ_SEEDS: tests/data/queue
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "queue.h"
#include "queue_shape.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* check_model - the invariants of a queue after reading. */
static void check_model(struct queue *q, const struct queue_reader_stats *st)
{
	size_t per = 0, rc = 0;

	for (int k = 0; k < QN_COUNT; k++)
		per += q->per_queue[k];
	if (per != q->count || st->messages != q->count)
		abort();
	for (size_t i = 0; i < q->count; i++) {
		const struct queue_msg *m = &q->msgs[i];

		if (!queue_id_valid(m->id) || m->queue >= QN_COUNT || m->sender >= q->pool.count)
			abort();
		if (m->rcpt != rc || (size_t)m->rcpt + m->nrcpt > q->nrcpts)
			abort();
		rc += m->nrcpt;
		for (uint32_t j = 0; j < m->nrcpt; j++) {
			const struct queue_rcpt *r = &q->rcpts[m->rcpt + j];

			if ((r->domain != STRPOOL_NONE && r->domain >= q->pool.count) ||
			    (r->reason != STRPOOL_NONE && r->reason >= q->pool.count) ||
			    r->local == NULL)
				abort();
		}
		/* duplicate IDs find one of them; that one must carry the ID */
		{
			long f = queue_find(q, m->id);

			if (f < 0 || strcmp(q->msgs[f].id, m->id) != 0)
				abort();
		}
	}
	if (rc != q->nrcpts)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct queue q;
	struct queue_reader *r;
	struct queue_filter f;
	struct queue_shape s;
	struct queue_reasons rs;
	uint32_t *idx = NULL;
	size_t n = 0, cut;
	struct err e;

	if (size == 0)
		return 0;
	cut = size > 1 ? data[0] % size : 0;
	data++;
	size--;
	if (cut > size)
		cut = size;
	if (queue_init(&q) < 0 || (r = queue_reader_new(&q, NULL, NULL)) == NULL)
		abort();
	if (queue_reader_feed(r, (const char *)data, cut, &e) < 0 ||
	    queue_reader_feed(r, (const char *)data + cut, size - cut, &e) < 0 ||
	    queue_reader_end(r, &e) < 0)
		abort();
	check_model(&q, queue_reader_stats(r));
	queue_reader_free(r);

	queue_filter_init(&f);
	snprintf(f.domain, sizeof(f.domain), "example");
	snprintf(f.reason, sizeof(f.reason), "4.7");
	f.older = 60;
	if (queue_select(&q, &f, 1800000000LL, QS_AGE, 0, &idx, &n, &e) < 0)
		abort();
	free(idx);
	for (int k = 0; k <= QS_NONE; k++) {
		queue_filter_init(&f);
		if (queue_select(&q, &f, 1800000000LL, (enum queue_sort)k, k & 1, &idx, &n, &e) < 0 ||
		    n != q.count)
			abort();
		if (k < QS_NONE)
			free(idx);
	}
	for (int by = 0; by < 2; by++) {
		if (queue_shape_init(&s, by, 1800000000LL) < 0 ||
		    queue_shape_build(&s, &q, idx, n, &e) < 0)
			abort();
		if (s.messages != n)
			abort();
		queue_shape_free(&s);
	}
	if (queue_reasons_build(&rs, &q, idx, n, &e) < 0 || rs.recipients != q.nrcpts)
		abort();
	{
		size_t sum = 0;

		for (size_t g = 0; g < rs.ngroups; g++)
			sum += rs.groups[g].recipients;
		if (sum != q.nrcpts)
			abort();
	}
	queue_reasons_free(&rs);
	free(idx);
	queue_free(&q);
	return 0;
}
