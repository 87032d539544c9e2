#pragma once
// A counter bumped in every forked child (pthread_atfork). What a thread made in an older
// generation (a curl handle, its socket and TLS session, a random generator) belongs to the
// parent: the child abandons it, never cleans it up, and makes its own.
namespace granary::io {

unsigned fork_generation();

}  // namespace granary::io
