#ifndef CSHIMS_H
#define CSHIMS_H
#include <sys/types.h>

/// Process-status macros Swift cannot import.
int cshims_wifexited(int status);
int cshims_wexitstatus(int status);
int cshims_wifsignaled(int status);
int cshims_wtermsig(int status);

/// prctl(PR_SET_PDEATHSIG, sig): prctl is variadic, so Swift cannot call it.
int cshims_set_parent_death_signal(int sig);

/// deflateInit2 is a macro in zlib.h.
struct z_stream_s;
int cshims_deflate_init_gzip(struct z_stream_s *stream, int level);

#endif
