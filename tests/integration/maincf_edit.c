/*
 * maincf_edit - a test driver for core/maincf: the edits every write in
 * relaydeck makes to main.cf (maincf_set, maincf_unset, then
 * maincf_serialize), on a file given by path, so the shell tests can hold
 * the result against the real `postconf -e` and `postconf -n`.
 *
 *   maincf_edit set FILE NAME VALUE   the edited file on stdout
 *   maincf_edit unset FILE NAME       the edited file on stdout
 *   maincf_edit noop FILE             set every name main.cf sets to the
 *                                     value it has, one at a time on a fresh
 *                                     model; names whose bytes changed on
 *                                     stdout, exit 1 when there is one
 *   maincf_edit names FILE            the names main.cf sets, one a line
 *
 * Errors: "maincf_edit: message" on stderr, exit 2.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "err.h"
#include "maincf.h"

/* fail - report e and exit 2. */
static int fail(const char *what, const struct err *e)
{
	char line[600];

	fprintf(stderr, "maincf_edit: %s: %s\n", what, err_format(e, line, sizeof(line)));
	return 2;
}

/* read_file - the whole file into b. */
static int read_file(const char *path, struct buf *b)
{
	FILE *f = fopen(path, "rb");
	char chunk[65536];
	size_t n;

	if (f == NULL) {
		perror(path);
		return -1;
	}
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		if (buf_append(b, chunk, n) < 0) {
			fclose(f);
			return -1;
		}
	fclose(f);
	return 0;
}

/* noop_all - set each name to its own value on a fresh model; 1 when any
 * changed a byte. */
static int noop_all(const char *path, const struct buf *in)
{
	struct maincf *m;
	const char **names;
	size_t n;
	struct err e;
	int bad = 0;

	err_clear(&e);
	if ((m = maincf_parse(path, in->data ? in->data : "", in->len, &e)) == NULL)
		return fail(path, &e);
	if (maincf_names(m, &names, &n) < 0)
		return 2;
	for (size_t i = 0; i < n; i++) {
		struct maincf *one;
		struct buf out = BUF_INIT;

		/* Names relaydeck never writes (odd bytes) are not edits it makes. */
		if (!maincf_name_ok(names[i]))
			continue;
		if ((one = maincf_parse(path, in->data ? in->data : "", in->len, &e)) == NULL)
			return fail(path, &e);
		if (maincf_set(one, names[i], maincf_get(m, names[i]), &e) < 0) {
			/* a value relaydeck refuses to write (control characters) */
			maincf_free(one);
			continue;
		}
		if (maincf_serialize(one, &out) < 0)
			return 2;
		if (out.len != in->len || (out.len && memcmp(out.data, in->data, out.len) != 0)) {
			printf("%s\n", names[i]);
			bad = 1;
		}
		buf_free(&out);
		maincf_free(one);
	}
	free(names);
	maincf_free(m);
	return bad;
}

int main(int argc, char **argv)
{
	struct buf in = BUF_INIT, out = BUF_INIT;
	struct maincf *m;
	struct err e;
	int rc;

	if (argc < 3) {
		fprintf(stderr, "usage: maincf_edit set|unset|noop|names FILE [NAME [VALUE]]\n");
		return 2;
	}
	if (read_file(argv[2], &in) < 0)
		return 2;
	if (strcmp(argv[1], "noop") == 0) {
		rc = noop_all(argv[2], &in);
		buf_free(&in);
		return rc;
	}
	err_clear(&e);
	if ((m = maincf_parse(argv[2], in.data ? in.data : "", in.len, &e)) == NULL)
		return fail(argv[2], &e);
	if (strcmp(argv[1], "names") == 0) {
		const char **names;
		size_t n;

		if (maincf_names(m, &names, &n) < 0)
			return 2;
		for (size_t i = 0; i < n; i++)
			printf("%s\n", names[i]);
		free(names);
	} else if (strcmp(argv[1], "set") == 0 && argc == 5) {
		if (maincf_set(m, argv[3], argv[4], &e) < 0)
			return fail(argv[3], &e);
	} else if (strcmp(argv[1], "unset") == 0 && argc == 4) {
		if (maincf_unset(m, argv[3], &e) < 0)
			return fail(argv[3], &e);
	} else {
		fprintf(stderr, "maincf_edit: bad arguments\n");
		return 2;
	}
	if (strcmp(argv[1], "names") != 0) {
		if (maincf_serialize(m, &out) < 0)
			return 2;
		fwrite(out.data ? out.data : "", 1, out.len, stdout);
	}
	maincf_free(m);
	buf_free(&in);
	buf_free(&out);
	return 0;
}
