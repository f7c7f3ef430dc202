//! The engine's resource limits: [`EngineLimits`], and running a load or a scoring on a
//! worker thread under them.

use std::any::Any;
use std::panic::AssertUnwindSafe;
use std::sync::{mpsc, Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use crate::alloc::{guard_installed, Job};
use crate::EngineError;

/// The default [`EngineLimits::max_load`]: 30 s.
pub const DEFAULT_MAX_LOAD: Duration = Duration::from_secs(30);
/// The default [`EngineLimits::max_score`]: 5 s.
pub const DEFAULT_MAX_SCORE: Duration = Duration::from_secs(5);
/// The default [`EngineLimits::max_model_memory_bytes`]: 1 GiB.
pub const DEFAULT_MAX_MODEL_MEMORY_BYTES: u64 = 1 << 30;

/// How often the engine looks whether a worker went over its memory budget while it
/// waits for it.
const POLL: Duration = Duration::from_millis(10);

/// The stack of a worker thread: generous, because tract recurses over the graph and a
/// stack overflow aborts the process (only the pages used are committed).
const WORKER_STACK_BYTES: usize = 32 * 1024 * 1024;

/// How long and how much memory a model may take.
///
/// A load (parse, type-check and optimise) or a scoring that takes longer than its
/// budget, or allocates more than the memory budget, fails with
/// [`EngineError::ResourceLimit`], and the engine refuses the model from then on
/// (loads and scores fail at once with the same error, without starting any work) until
/// the process restarts: a model that went over budget once is not worth a thread more.
/// A model whose declared initializers alone (graph initializers and `Constant` tensors,
/// subgraphs included) would take more than the memory budget, or whose bytes are longer
/// than it, is refused at load without being parsed; that refusal is not remembered (it
/// costs nothing to repeat).
///
/// ## How
/// tract is synchronous and cannot be interrupted, so every load and every scoring runs
/// on a worker thread, which the engine waits for until the deadline (workers that
/// return in time are reused: starting a thread costs more than scoring a small model).
/// When the deadline passes the engine answers and lets the worker go; the worker cannot
/// be killed. With [`crate::GuardedAllocator`] installed as the global allocator (the node
/// installs it), a worker past its deadline is put to sleep for good at its next large
/// allocation (tract allocates the output of every operator it runs, so that is soon),
/// and a worker whose allocations would exceed the memory budget is put to sleep before
/// the allocation. Without the guard a runaway worker runs until it finishes on its own,
/// and memory is only limited by the initializer check.
///
/// So a hostile model costs at most one thread, which keeps what it had allocated (at
/// most about the memory budget) until the node restarts; other models are served all
/// along, since no worker holds a lock of the engine while it works. A panic inside
/// tract is caught on the worker and reported as [`EngineError::InvalidModel`] (load) or
/// [`EngineError::Inference`] (scoring).
///
/// ## Defaults
/// The example models load in milliseconds and score in microseconds, and models on
/// chain are at most a few MiB, so the defaults are far above what an honest model needs
/// even on a slow, busy machine, while bounding what a hostile one can take:
/// - [`DEFAULT_MAX_LOAD`], 30 s: a load happens once per model and node; tract optimises
///   a large tree ensemble or MLP in seconds.
/// - [`DEFAULT_MAX_SCORE`], 5 s: the off-chain worker scores a block's requests in one
///   run and its own budget is 2 s a run, so a model that needs seconds per row cannot be
///   served anyway; 5 s leaves room for a first scoring of a new input shape, which
///   optimises a plan for it.
/// - [`DEFAULT_MAX_MODEL_MEMORY_BYTES`], 1 GiB per load or scoring: tract copies weights
///   while optimising, so a load peaks at a few times the model's initializers; 1 GiB
///   serves models with hundreds of MiB of weights and leaves room for the node on a
///   machine with a few GiB.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EngineLimits {
	/// The longest a model's load (parse, type-check, optimise) may take.
	pub max_load: Duration,
	/// The longest one scoring may take (including optimising a plan for an input shape
	/// the model has not been scored with yet).
	pub max_score: Duration,
	/// The most memory one load or one scoring may allocate (live bytes of its worker
	/// thread), and the most bytes a model's declared initializers may take.
	pub max_model_memory_bytes: u64,
}

impl Default for EngineLimits {
	fn default() -> Self {
		EngineLimits {
			max_load: DEFAULT_MAX_LOAD,
			max_score: DEFAULT_MAX_SCORE,
			max_model_memory_bytes: DEFAULT_MAX_MODEL_MEMORY_BYTES,
		}
	}
}

impl std::fmt::Display for EngineLimits {
	fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
		write!(
			f,
			"load {} ms, score {} ms, memory {} (allocation guard {})",
			self.max_load.as_millis(),
			self.max_score.as_millis(),
			format_bytes(self.max_model_memory_bytes),
			if guard_installed() { "on" } else { "off" }
		)
	}
}

/// `n` bytes in the largest binary unit that divides it, for messages.
pub(crate) fn format_bytes(n: u64) -> String {
	if n >= 1 << 30 && n.is_multiple_of(1 << 30) {
		format!("{} GiB", n >> 30)
	} else if n >= 1 << 20 && n.is_multiple_of(1 << 20) {
		format!("{} MiB", n >> 20)
	} else if n >= 1 << 10 && n.is_multiple_of(1 << 10) {
		format!("{} KiB", n >> 10)
	} else {
		format!("{n} bytes")
	}
}

/// Called at the start of every worker thread; what it returns lives as long as the
/// thread (e.g. a guard that makes a panic unwind rather than exit the process).
pub type WorkerSetup = Arc<dyn Fn() -> Box<dyn Any> + Send + Sync>;

/// How a worker ended when it did not return.
pub(crate) enum Overrun {
	/// The deadline passed.
	Time(Duration),
	/// It tried to allocate more than the budget.
	Memory(u64),
	/// It panicked: the message.
	Panic(String),
	/// The thread could not be started.
	Spawn(String),
}

impl Overrun {
	/// Whether the worker may still be running (or asleep): the model must not be tried
	/// again.
	pub(crate) fn is_over_budget(&self) -> bool {
		matches!(self, Overrun::Time(_) | Overrun::Memory(_))
	}
}

/// A piece of work for a worker thread.
type Task = Box<dyn FnOnce() + Send>;

/// The most idle worker threads kept for the next piece of work (beyond that, a worker
/// that is done ends).
const MAX_IDLE_WORKERS: usize = 4;

/// The worker threads loads and scorings run on. A worker that returned in time is
/// reused: starting a thread costs tens of microseconds, more than scoring a small model.
/// One that overran, or panicked, is let go and never given work again.
pub(crate) struct Workers {
	/// Idle workers, by the sender of their task queue.
	idle: Mutex<Vec<mpsc::Sender<Task>>>,
	/// Run once at the start of every worker thread.
	setup: Option<WorkerSetup>,
}

impl Workers {
	/// No workers yet; every new worker thread runs `setup` first.
	pub(crate) fn new(setup: Option<WorkerSetup>) -> Self {
		Workers { idle: Mutex::new(vec![]), setup }
	}

	/// Runs `work` on a worker thread, waiting for it at most `deadline`, with its
	/// allocations limited to `memory` bytes (when the guard is installed).
	pub(crate) fn run<T: Send + 'static>(
		&self,
		deadline: Duration,
		memory: u64,
		work: impl FnOnce() -> T + Send + 'static,
	) -> Result<T, Overrun> {
		let started = Instant::now();
		let job = Arc::new(Job::new(memory));
		let (tx, rx) = mpsc::sync_channel(1);
		let task: Task = {
			let job = job.clone();
			Box::new(move || {
				let result = job
					.charge_while(|| std::panic::catch_unwind(AssertUnwindSafe(work)))
					.map_err(|panic| panic_message(&*panic));
				// The engine may have given up waiting: then nobody receives.
				let _ = tx.send(result);
			})
		};
		let worker = self.send(task)?;
		let until = started + deadline;
		// Small models score in microseconds: look for the result a while before sleeping.
		if let Some(result) = spin_recv(&rx, RESULT_SPIN) {
			return match result {
				Ok(result) => {
					self.release(worker);
					Ok(result)
				}
				Err(message) => Err(Overrun::Panic(message)),
			};
		}
		loop {
			let wait = until.saturating_duration_since(Instant::now()).min(POLL);
			match rx.recv_timeout(wait) {
				Ok(Ok(result)) => {
					self.release(worker);
					return Ok(result);
				}
				// Its thread-local state may be inconsistent: let the worker go.
				Ok(Err(message)) => return Err(Overrun::Panic(message)),
				Err(mpsc::RecvTimeoutError::Disconnected) => {
					return Err(Overrun::Panic("the worker thread ended without a result".into()))
				}
				Err(mpsc::RecvTimeoutError::Timeout) => {}
			}
			if job.exceeded() {
				return Err(Overrun::Memory(memory));
			}
			if Instant::now() >= until {
				job.cancel();
				return Err(Overrun::Time(deadline));
			}
		}
	}

	/// Hands `task` to an idle worker, or to a new one; the worker's queue.
	fn send(&self, mut task: Task) -> Result<mpsc::Sender<Task>, Overrun> {
		loop {
			let idle = lock(&self.idle).pop();
			let Some(worker) = idle else { break };
			match worker.send(task) {
				Ok(()) => return Ok(worker),
				// That worker is gone (it cannot be, but then take another).
				Err(mpsc::SendError(back)) => task = back,
			}
		}
		let (worker, tasks) = mpsc::channel::<Task>();
		let setup = self.setup.clone();
		std::thread::Builder::new()
			.name("onnx-worker".into())
			.stack_size(WORKER_STACK_BYTES)
			.spawn(move || {
				let _setup = setup.map(|setup| setup());
				// Until the engine lets the worker go (drops its queue's sender). Work often
				// comes in bursts: look for the next piece a little before sleeping.
				loop {
					let Some(task) = spin_recv(&tasks, TASK_SPIN).or_else(|| tasks.recv().ok())
					else {
						break;
					};
					task();
				}
			})
			.map_err(|e| Overrun::Spawn(e.to_string()))?;
		worker.send(task).map_err(|_| Overrun::Spawn("the new worker ended".into()))?;
		Ok(worker)
	}

	/// Keeps a worker that is done for the next piece of work.
	fn release(&self, worker: mpsc::Sender<Task>) {
		let mut idle = lock(&self.idle);
		if idle.len() < MAX_IDLE_WORKERS {
			idle.push(worker);
		}
	}
}

/// How long an idle worker looks for its next task before it sleeps on its queue: waking
/// a sleeping thread costs microseconds, as much as scoring a small model.
const TASK_SPIN: Duration = Duration::from_micros(50);

/// How long the engine looks for a worker's result before it sleeps until the result or
/// the next memory check. A sleeping caller costs the worker a wake-up (a system call)
/// and itself the time to be scheduled again, 5 to 20 µs on a busy machine: as much as a
/// small network's whole run. Small networks run in tens of microseconds, so the engine
/// looks for that long (giving the processor away between looks, see [`spin_recv`]);
/// longer runs pay the wake-up, which is small beside them.
const RESULT_SPIN: Duration = Duration::from_micros(250);

/// How many times [`spin_recv`] looks for a message between two `yield_now`s.
const LOOKS_PER_YIELD: u32 = 4;

/// A message received within `spin` without sleeping, if any. The thread gives the
/// processor away (`yield_now`) every [`LOOKS_PER_YIELD`] looks, so that it does not
/// hold it from a thread that has work: the scheduler often puts a worker on the core of
/// the thread that woke it, and then the engine and its worker take turns on one core.
/// Yielding every 64 looks rather than 4 cost each hand-off there a few microseconds of
/// looking in vain (the engine's fixed cost per call, timed on a one-Identity model on
/// one core: about 10 µs against 7).
fn spin_recv<M>(rx: &mpsc::Receiver<M>, spin: Duration) -> Option<M> {
	let started = Instant::now();
	let mut tries = 0u32;
	loop {
		match rx.try_recv() {
			Ok(message) => return Some(message),
			Err(mpsc::TryRecvError::Disconnected) => return None,
			Err(mpsc::TryRecvError::Empty) => {}
		}
		tries += 1;
		if tries.is_multiple_of(LOOKS_PER_YIELD) {
			if started.elapsed() >= spin {
				return None;
			}
			std::thread::yield_now();
		} else {
			std::hint::spin_loop();
		}
	}
}

/// Locks a mutex, ignoring poisoning (a `Vec` push or pop cannot leave it half-made).
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
	m.lock().unwrap_or_else(|e| e.into_inner())
}

/// The message of a panic's payload.
fn panic_message(payload: &(dyn Any + Send)) -> String {
	if let Some(s) = payload.downcast_ref::<&str>() {
		s.to_string()
	} else if let Some(s) = payload.downcast_ref::<String>() {
		s.clone()
	} else {
		"a panic without a message".into()
	}
}

/// The error of an overrun, for `what` ("loading" or "scoring") a model.
pub(crate) fn overrun_error(
	what: &str,
	overrun: Overrun,
	panicked: fn(String) -> EngineError,
) -> EngineError {
	match overrun {
		Overrun::Time(d) => EngineError::ResourceLimit(format!(
			"{what} the model took longer than {} ms",
			d.as_millis()
		)),
		Overrun::Memory(m) => EngineError::ResourceLimit(format!(
			"{what} the model tried to allocate more than {}",
			format_bytes(m)
		)),
		Overrun::Spawn(e) => {
			EngineError::ResourceLimit(format!("cannot start a thread for {what} the model: {e}"))
		}
		Overrun::Panic(m) => panicked(format!("the engine panicked while {what} the model: {m}")),
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	const LONG: Duration = Duration::from_secs(600);

	#[test]
	fn a_worker_returns_its_result_and_is_reused() {
		let workers = Workers::new(None);
		let thread = || std::thread::current().id();
		let first = workers.run(LONG, 1 << 30, thread).ok().unwrap();
		assert_ne!(first, thread());
		assert_eq!(workers.run(LONG, 1 << 30, thread).ok(), Some(first));
		assert_eq!(lock(&workers.idle).len(), 1);
	}

	#[test]
	fn a_panic_on_the_worker_is_caught_and_the_worker_let_go() {
		let workers = Workers::new(None);
		match workers.run(LONG, 1 << 30, || -> u8 { panic!("boom {}", 42) }) {
			Err(Overrun::Panic(message)) => assert_eq!(message, "boom 42"),
			_ => panic!("the panic was not caught"),
		}
		assert!(lock(&workers.idle).is_empty());
		let error =
			overrun_error("loading", Overrun::Panic("boom".into()), EngineError::InvalidModel);
		assert_eq!(
			error,
			EngineError::InvalidModel("the engine panicked while loading the model: boom".into())
		);
		assert!(matches!(workers.run(LONG, 1 << 30, || 7), Ok(7)));
	}

	#[test]
	fn a_worker_past_its_deadline_is_left_behind() {
		let workers = Workers::new(None);
		// The worker sleeps 100 times longer than the deadline.
		let result = workers.run(Duration::from_millis(20), 1 << 30, || {
			std::thread::sleep(Duration::from_secs(2));
		});
		match result {
			Err(overrun @ Overrun::Time(_)) => {
				assert!(overrun.is_over_budget());
				assert_eq!(
					overrun_error("scoring", overrun, EngineError::Inference),
					EngineError::ResourceLimit("scoring the model took longer than 20 ms".into())
				);
			}
			_ => panic!("the deadline was not kept"),
		}
		// Not reused: the next piece of work gets a new worker at once.
		assert!(lock(&workers.idle).is_empty());
		assert!(matches!(workers.run(LONG, 1 << 30, || 7), Ok(7)));
	}

	#[test]
	fn the_setup_runs_on_the_worker_and_lives_as_long() {
		thread_local! {
			static SET_UP: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
		}
		let setup: WorkerSetup = Arc::new(|| {
			SET_UP.with(|s| s.set(true));
			Box::new(()) as Box<dyn Any>
		});
		let workers = Workers::new(Some(setup));
		let on_worker =
			|| (SET_UP.with(|s| s.get()), std::thread::current().name().map(String::from));
		let expected = Some((true, Some("onnx-worker".to_string())));
		assert_eq!(workers.run(LONG, 1 << 30, on_worker).ok(), expected);
		assert_eq!(workers.run(LONG, 1 << 30, on_worker).ok(), expected);
		assert!(!SET_UP.with(|s| s.get()), "the setup ran on the caller's thread");
	}

	#[test]
	fn limits_print_readably() {
		assert_eq!(format_bytes(1 << 30), "1 GiB");
		assert_eq!(format_bytes(64 << 20), "64 MiB");
		assert_eq!(format_bytes(1536), "1536 bytes");
		assert_eq!(format_bytes(3 << 10), "3 KiB");
		let limits = EngineLimits::default().to_string();
		assert!(limits.starts_with("load 30000 ms, score 5000 ms, memory 1 GiB"), "{limits}");
	}
}
