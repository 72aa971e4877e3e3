//! `verify_loop` with the service's allocator, mimalloc, in place of the system's: how much
//! of a verification's cost is the allocator's (BENCHMARKS.md). The same arguments.

#[path = "verify_loop.rs"]
mod verify_loop;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    verify_loop::main();
}
