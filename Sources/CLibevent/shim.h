/* System headers first, without the _GNU_SOURCE that libevent's
   event-config.h defines: then fd_set and friends are defined exactly as in
   the Glibc and CZlib modules, and Swift sees one type, not two. */
#include <sys/types.h>
#include <sys/select.h>
#include <sys/time.h>
#include <event2/event.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/listener.h>
#include <event2/util.h>
