/*
 * fuzz_pending - libFuzzer target for the pending-edits file
 * (<state dir>/pending, core/pending.c).
 *
 * The file is outside input the next run trusts: an older version, a
 * full disk or a hand edit may leave anything in it. Whatever loads must
 * save and load again to the same edits in the same order, and an edit
 * set or unset afterwards (name and value from the input, when valid)
 * must read back after another save and load; a file that does not load
 * must fail with ERR_PARSE, never quietly. Any violation aborts. Build
 * with tests/fuzz/build.sh.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz_tmpdir.h"
#include "pending.h"
#include "target.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct target *t;
static char *pending_path;

/* same - two edit lists hold the same edits in the same order. */
static int same(const struct pending *a, const struct pending *b)
{
	if (pending_count(a) != pending_count(b))
		return 0;
	for (size_t i = 0; i < pending_count(a); i++) {
		const struct pending_edit *x = pending_at(a, i), *y = pending_at(b, i);

		if (strcmp(x->name, y->name) != 0 || (x->value == NULL) != (y->value == NULL) ||
		    (x->value && strcmp(x->value, y->value) != 0))
			return 0;
	}
	return 1;
}

/* reload - save p, load it again, and check both agree. */
static struct pending *reload(struct pending *p)
{
	struct pending *again;
	struct err e;

	if (pending_save(p, &e) < 0 || (again = pending_load(t, &e)) == NULL || !same(p, again))
		abort();
	pending_free(p);
	return again;
}

/* LLVMFuzzerTestOneInput - load, round trip, edit, round trip. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pending *p;
	struct err e;
	char name[24], value[64];
	size_t i, k;

	if (t == NULL) {
		char *state = fuzz_path("state");

		if (mkdir(state, 0700) < 0 || (t = target_local_new(fuzz_tmpdir(), state, &e)) == NULL)
			abort();
		pending_path = target_state_path(t, "pending");
		free(state);
	}
	fuzz_write_file(pending_path, data, size);
	if ((p = pending_load(t, &e)) == NULL) {
		if (e.code != ERR_PARSE)
			abort();
		return 0;
	}
	p = reload(p);

	/* a name and a value from the input's last bytes */
	for (i = 0, k = size; i + 1 < sizeof(name) && k > 0 && i < 12; i++)
		name[i] = "abcdefghijklmnopqrstuvwxyz_0123"[data[--k] % 31];
	name[i] = '\0';
	for (i = 0; i + 1 < sizeof(value) && i < size; i++)
		value[i] = (char)(data[i] ? data[i] : ' ');
	value[i] = '\0';
	if (name[0]) {
		if (pending_set(p, name, value, &e) == 0) {
			p = reload(p);
			if (pending_find(p, name) == NULL || pending_find(p, name)->value == NULL ||
			    strcmp(pending_find(p, name)->value, value) != 0)
				abort();
		} else if (e.code != ERR_INVALID) {
			abort();
		}
		if (pending_unset(p, name, &e) < 0)
			abort();
		p = reload(p);
		if (pending_find(p, name) == NULL || pending_find(p, name)->value != NULL)
			abort();
	}
	pending_free(p);
	return 0;
}
