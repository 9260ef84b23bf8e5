#ifndef NETROOT_CZLIB_SHIM_H
#define NETROOT_CZLIB_SHIM_H
#include <zlib.h>

/// inflateInit2 is a macro in zlib.h; Swift cannot call it.
static inline int netroot_inflate_init_gzip(z_stream *stream) {
    // 15 + 32: a zlib or gzip header, detected automatically.
    return inflateInit2(stream, 15 + 32);
}
#endif
