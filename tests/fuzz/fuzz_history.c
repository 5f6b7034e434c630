/*
 * fuzz_history - libFuzzer target for the backup descriptions that
 * history and rollback read (<state dir>/backups/ID/meta,
 * core/changeset.c).
 *
 * A meta file is left by an earlier run, maybe an older version, a
 * killed one or a full disk. Whatever it holds, changeset_history must
 * either fail with ERR_PARSE or list at most the one backup, with the ID
 * of its directory, NUL-terminated texts and absolute file paths. Any
 * violation aborts. Build with tests/fuzz/build.sh.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "changeset.h"
#include "fuzz_tmpdir.h"
#include "target.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define ID "20260101T000000Z-1"

static struct target *t;
static char *meta_path;

/* LLVMFuzzerTestOneInput - write the meta file, list the history. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct backup_info *list;
	size_t n;
	struct err e;

	if (t == NULL) {
		char *state = fuzz_path("state"), *bdir = fuzz_path("state/backups");
		char *idir = fuzz_path("state/backups/" ID);

		if (mkdir(state, 0700) < 0 || mkdir(bdir, 0700) < 0 || mkdir(idir, 0700) < 0 ||
		    (t = target_local_new(fuzz_tmpdir(), state, &e)) == NULL)
			abort();
		meta_path = fuzz_path("state/backups/" ID "/meta");
		free(state);
		free(bdir);
		free(idir);
	}
	fuzz_write_file(meta_path, data, size);
	if (changeset_history(t, &list, &n, &e) < 0) {
		if (e.code != ERR_PARSE)
			abort();
		return 0;
	}
	if (n > 1 || (n == 1 && strcmp(list[0].id, ID) != 0))
		abort();
	for (size_t i = 0; i < n; i++) {
		if (memchr(list[i].description, '\0', sizeof(list[i].description)) == NULL)
			abort();
		for (size_t k = 0; k < list[i].nfiles; k++)
			if (list[i].files[k] == NULL || list[i].files[k][0] != '/')
				abort();
	}
	changeset_history_free(list, n);
	return 0;
}
