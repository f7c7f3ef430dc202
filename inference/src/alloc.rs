//! The engine's memory guard: a global allocator that stops a load or a scoring that
//! allocates more than the engine's memory budget, or that is still running after its
//! deadline, before the allocation happens.
//!
//! tract is synchronous and has no cancellation, and a failed allocation aborts a Rust
//! process, so a hostile model (a `ConstantOfShape` or `Expand` to a shape of billions of
//! elements, which tract evaluates while optimising the graph; a chain of huge
//! intermediate tensors when it runs) would otherwise take the whole node down. The engine
//! runs each load and each scoring on a worker thread (see [`crate::EngineLimits`]) and,
//! when this allocator is the process's global allocator, gives the worker a [`Job`] to
//! charge its allocations to while it does that work. An allocation of at least
//! [`FREEZE_MIN_BYTES`] that would take the thread's live bytes over the budget, or that
//! happens after the deadline, never returns: the thread is put to sleep for good (an
//! allocator may neither fail without aborting the process nor unwind), the engine
//! reports [`crate::EngineError::ResourceLimit`] and serves no further request for that
//! model. The sleeping thread keeps what it had allocated, at most about the budget,
//! until the node restarts.
//!
//! Smaller allocations are only counted, so that a thread is never stopped in the middle
//! of the small bookkeeping (logging, lazily initialised tables) where it may hold a lock
//! shared with the rest of the process; they stop the thread only past the budget plus
//! [`SMALL_ALLOCATION_SLACK`]. Allocations of other threads are not counted: only the
//! engine's workers pay a few extra instructions per allocation.
//!
//! Install it in the binary that runs the engine:
//!
//! ```ignore
//! #[global_allocator]
//! static ALLOCATOR: aioracle_inference::GuardedAllocator = aioracle_inference::GuardedAllocator;
//! ```
//!
//! Without it the engine still enforces its time limits and refuses models whose
//! declared initializers exceed the budget, but an allocation bomb while loading or
//! scoring is not caught ([`guard_installed`] says which).

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

/// Allocations at least this large stop a worker that is over its budget or past its
/// deadline: tensors' buffers, not the small allocations of bookkeeping code that may
/// hold a lock.
pub const FREEZE_MIN_BYTES: usize = 64 * 1024;

/// How far past its budget a worker's small allocations may take it before they stop it
/// too.
pub const SMALL_ALLOCATION_SLACK: u64 = 16 * 1024 * 1024;

/// Set by the first allocation through [`GuardedAllocator`].
static INSTALLED: AtomicBool = AtomicBool::new(false);

thread_local! {
	/// The job the current thread charges its allocations to (null: none). Const-initialised
	/// and without a destructor, so reading it never allocates.
	static JOB: Cell<*const Job> = const { Cell::new(std::ptr::null()) };
}

/// Whether [`GuardedAllocator`] is the process's global allocator (it has allocated).
pub fn guard_installed() -> bool {
	INSTALLED.load(Ordering::Relaxed)
}

/// The memory account of one load or scoring, shared by its worker thread (which
/// charges it) and the engine (which watches it).
#[derive(Debug)]
pub(crate) struct Job {
	/// The most live bytes the worker may hold.
	limit: u64,
	/// The worker's live bytes (allocated minus freed on its thread, wrapping: a thread
	/// may free what another allocated).
	used: AtomicU64,
	/// Set when an allocation took the worker over `limit`; the worker is asleep.
	exceeded: AtomicBool,
	/// Set by the engine once the deadline has passed: the worker's next large
	/// allocation puts it to sleep.
	cancelled: AtomicBool,
}

impl Job {
	/// A job that may hold up to `limit` live bytes.
	pub(crate) fn new(limit: u64) -> Self {
		Job {
			limit,
			used: AtomicU64::new(0),
			exceeded: AtomicBool::new(false),
			cancelled: AtomicBool::new(false),
		}
	}

	/// Whether the worker went over the budget (and is asleep).
	pub(crate) fn exceeded(&self) -> bool {
		self.exceeded.load(Ordering::Acquire)
	}

	/// Asks the worker to stop at its next large allocation.
	pub(crate) fn cancel(&self) {
		self.cancelled.store(true, Ordering::Release);
	}

	/// Runs `f` on the current thread with its allocations charged to this job.
	pub(crate) fn charge_while<T>(&self, f: impl FnOnce() -> T) -> T {
		struct Reset;
		impl Drop for Reset {
			fn drop(&mut self) {
				let _ = JOB.try_with(|job| job.set(std::ptr::null()));
			}
		}
		let _ = JOB.try_with(|job| job.set(self as *const Job));
		let _reset = Reset;
		f()
	}

	/// Charges an allocation of `size` bytes, or never returns.
	fn charge(&self, size: usize) {
		let used = self.used.load(Ordering::Relaxed).wrapping_add(size as u64);
		// `used` wraps below zero when the thread frees more than it allocated: read it
		// as signed.
		let over = (used as i64) > 0 && used > self.limit;
		let large = size >= FREEZE_MIN_BYTES;
		if over && (large || used > self.limit.saturating_add(SMALL_ALLOCATION_SLACK)) {
			self.exceeded.store(true, Ordering::Release);
			sleep_forever();
		}
		if large && self.cancelled.load(Ordering::Acquire) {
			sleep_forever();
		}
		self.used.store(used, Ordering::Relaxed);
	}

	/// Credits a freed allocation of `size` bytes.
	fn credit(&self, size: usize) {
		let used = self.used.load(Ordering::Relaxed).wrapping_sub(size as u64);
		self.used.store(used, Ordering::Relaxed);
	}
}

/// Stops the current thread for good, without allocating.
fn sleep_forever() -> ! {
	loop {
		std::thread::sleep(Duration::from_secs(3600));
	}
}

/// The current thread's job, if it has one.
fn current_job() -> Option<&'static Job> {
	let job = JOB.try_with(|job| job.get()).unwrap_or(std::ptr::null());
	// SAFETY: a thread's `JOB` points to a `Job` only inside `Job::charge_while`, which
	// borrows the job for at least that long, and a thread only reads its own `JOB`.
	unsafe { job.as_ref() }
}

/// The system allocator, with the engine's workers' allocations charged to their job
/// (see the [module documentation](self)).
pub struct GuardedAllocator;

// SAFETY: every call is forwarded to `System` unchanged; the accounting around it neither
// allocates nor unwinds (it may sleep forever, which an allocator may do).
unsafe impl GlobalAlloc for GuardedAllocator {
	unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
		mark_installed();
		if let Some(job) = current_job() {
			job.charge(layout.size());
		}
		// SAFETY: the caller's contract, passed on.
		unsafe { System.alloc(layout) }
	}

	unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
		mark_installed();
		if let Some(job) = current_job() {
			job.charge(layout.size());
		}
		// SAFETY: the caller's contract, passed on.
		unsafe { System.alloc_zeroed(layout) }
	}

	unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
		if let Some(job) = current_job() {
			job.credit(layout.size());
		}
		// SAFETY: the caller's contract, passed on.
		unsafe { System.dealloc(ptr, layout) }
	}

	unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
		if let Some(job) = current_job() {
			if new_size > layout.size() {
				job.charge(new_size - layout.size());
			} else {
				job.credit(layout.size() - new_size);
			}
		}
		// SAFETY: the caller's contract, passed on.
		unsafe { System.realloc(ptr, layout, new_size) }
	}
}

/// Records that the guard is the global allocator (a load, then a store only once).
#[inline]
fn mark_installed() {
	if !INSTALLED.load(Ordering::Relaxed) {
		INSTALLED.store(true, Ordering::Relaxed);
	}
}
