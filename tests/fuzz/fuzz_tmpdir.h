/*
 * fuzz_tmpdir.h - a private scratch directory for targets that must hand
 * their input to a parser as a file (state files, known_hosts).
 *
 * fuzz_tmpdir() makes it once, under /dev/shm when there is one (the
 * writes and fsyncs of every execution stay in memory), else under
 * TMPDIR or /tmp, mode 0700; it is removed with its files at exit.
 * fuzz_write_file() replaces a file's bytes; fuzz_path() joins a name.
 */
#ifndef RELAYDECK_FUZZ_TMPDIR_H
#define RELAYDECK_FUZZ_TMPDIR_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char fuzz_dir[256];

/* fuzz_rm_tree - remove the scratch directory (one or two levels deep). */
static void fuzz_rm_tree(void)
{
	char cmd[300];

	if (fuzz_dir[0] == '\0')
		return;
	/* the tree only ever holds what the target made */
	snprintf(cmd, sizeof(cmd), "rm -rf -- '%s'", fuzz_dir);
	if (system(cmd) != 0)
		fprintf(stderr, "fuzz: could not remove %s\n", fuzz_dir);
}

/* fuzz_tmpdir - the scratch directory, made on first use. */
static const char *fuzz_tmpdir(void)
{
	const char *base = getenv("TMPDIR");

	if (fuzz_dir[0])
		return fuzz_dir;
	if (access("/dev/shm", W_OK) == 0)
		base = "/dev/shm";
	else if (base == NULL || *base == '\0')
		base = "/tmp";
	snprintf(fuzz_dir, sizeof(fuzz_dir), "%s/relaydeck-fuzz.XXXXXX", base);
	if (mkdtemp(fuzz_dir) == NULL) {
		perror("fuzz: mkdtemp");
		abort();
	}
	atexit(fuzz_rm_tree);
	return fuzz_dir;
}

/* fuzz_path - a malloc'd "DIR/name" below the scratch directory. */
static char *fuzz_path(const char *name)
{
	size_t n = strlen(fuzz_tmpdir()) + strlen(name) + 2;
	char *p = malloc(n);

	if (p == NULL)
		abort();
	snprintf(p, n, "%s/%s", fuzz_dir, name);
	return p;
}

/* fuzz_write_file - path's bytes become data[0..size). */
static void fuzz_write_file(const char *path, const void *data, size_t size)
{
	FILE *f = fopen(path, "wb");

	if (f == NULL || (size && fwrite(data, 1, size, f) != size) || fclose(f) != 0) {
		perror(path);
		abort();
	}
}

#endif
