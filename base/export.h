// SASLKIT_EXPORT marks the public API of the shared library, which is built with hidden
// symbols by default: every public header opens its namespace as
//
//   namespace saslkit SASLKIT_EXPORT {
//
// so that what it declares is exported, while internal/ headers and file-local code stay
// hidden. The library's own .cc files open their definitions the same way (clang gives a
// function the visibility of the block it is defined in, GCC that of its first declaration), and
// define `saslkit::internal` functions in a block of their own, without the mark. Static builds
// and other compilers see nothing.
#ifndef SASLKIT_BASE_EXPORT_H_
#define SASLKIT_BASE_EXPORT_H_

#if defined(__GNUC__) || defined(__clang__)
#define SASLKIT_EXPORT __attribute__((visibility("default")))
#else
#define SASLKIT_EXPORT
#endif

#endif  // SASLKIT_BASE_EXPORT_H_
