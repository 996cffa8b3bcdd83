#ifndef CSHIMS_H
#define CSHIMS_H
/* No system headers here: including them would define fd_set and friends
   a second time, clashing with the Glibc and CLibevent modules. */

/// Process-status macros Swift cannot import.
int cshims_wifexited(int status);
int cshims_wexitstatus(int status);
int cshims_wifsignaled(int status);
int cshims_wtermsig(int status);

/// prctl(PR_SET_PDEATHSIG, sig): prctl is variadic, so Swift cannot call it.
int cshims_set_parent_death_signal(int sig);

/// posix_spawn_file_actions_addclosefrom_np (glibc 2.34, a GNU extension
/// the Glibc module leaves out); `actions` is a posix_spawn_file_actions_t *.
int cshims_spawn_close_from(void *actions, int lowest);

/// Extended attributes (sys/xattr.h is not in Swift's Glibc module).
int cshims_fsetxattr(int fd, const char *name, const void *value, unsigned long size);
long cshims_getxattr(const char *path, const char *name, void *value, unsigned long size);

#endif
