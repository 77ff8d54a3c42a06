//! What a demo is: one [`Demo`] implementation in its own folder, `crate/src/demos/<id>/`,
//! listed once in the registry (`demos/mod.rs`). Everything the rest of the crate and the page
//! know about a demo comes through this trait: its inputs and capabilities ([`DemoSpec`]),
//! its instant part, its real run, the summary that tests and embeds read (`data-result`),
//! and its step-through program.
//!
//! The registry holds demos as `&dyn Entry`: [`Entry`] is the same trait with every type
//! erased, implemented once for every [`Demo`], so nothing outside a demo's folder matches
//! on its id.

use super::stepper::Fit;
use super::{DemoError, Env};
use crate::control::Control;
use crate::live::Feed;
use crate::params::{DemoSpec, Params};
use crate::sched::Program;
use serde::Serialize;

/// One demo. `Computed` is its instant part (the Amdahl calculator, the explorer's whole
/// result; `()` for most), `Outcome` what a real run returns, `Summary` the numbers the
/// learner sees, as the page's `data-result` attribute carries them.
pub trait Demo: Sync + 'static {
    type Computed: Serialize + 'static;
    type Outcome: Serialize + 'static;
    type Summary: Serialize + 'static;

    /// Its id, inputs and capabilities.
    fn spec(&self) -> &'static DemoSpec;

    /// The instant part, computed as the inputs change. `ctl` and `ticket` let a long one
    /// (an exploration) stop part-way when the page replaces or cancels it.
    fn compute(&self, p: &Params, ctl: &Control, ticket: u32) -> Result<Self::Computed, DemoError>;

    /// A compute that was cancelled part-way and returns what it found so far.
    fn cancelled(&self, _computed: &Self::Computed) -> bool {
        false
    }

    /// The real run, on the pool's threads (the registry has already checked the thread
    /// inputs against the pool, see [`crate::params::Threads`]).
    fn run(&self, p: &Params, env: Env, ctl: &Control, feed: &Feed) -> Result<Self::Outcome, DemoError>;

    /// What `data-result` says: after a compute (`computed` is given, `outcome` is `None`)
    /// and after a run (`outcome` is given; a run's outcome carries what the summary needs of
    /// the instant part, so the compute is not done again).
    fn summary(&self, p: &Params, computed: Option<&Self::Computed>, outcome: Option<&Self::Outcome>) -> Self::Summary;

    /// A run that the engine worker's host began with workers of its own (a demo listed in
    /// its engine's hosts, www/src/engine/worker.ts): `seen` is what the host reports, and
    /// the demo finishes the run from it. Demos without a host never get here.
    fn observe(&self, _p: &Params, _env: Env, _ctl: &Control, _seen: &mut dyn erased_serde::Deserializer) -> Result<Self::Outcome, DemoError> {
        Err(DemoError::UnknownDemo(format!("{} (it takes no host's report)", self.spec().id)))
    }

    /// One message through a worker process that the host started for this demo: the
    /// process's own wasm instance calls this, never the engine's.
    fn process(&self, _msg: &mut dyn erased_serde::Deserializer) -> Result<Erased, DemoError> {
        Err(DemoError::UnknownDemo(format!("{} (it has no processes)", self.spec().id)))
    }

    /// The step-through program and a sentence on what to try, for a demo whose spec says
    /// it is steppable. Sizes are read through `fit`, which notes where the program differs
    /// from the inputs.
    fn step(&self, _fit: &mut Fit) -> Option<(Program, &'static str)> {
        None
    }

    /// Takes a picture the learner chose, `width` × `height` RGBA pixels decoded by the
    /// browser, for a demo that reads one; with `rgba` `None`, only says whether a picture of
    /// that size would be taken (so the page need not read out the pixels of one that would
    /// not).
    fn attach(&self, _width: u32, _height: u32, _rgba: Option<Vec<u8>>) -> Result<(), DemoError> {
        Err(DemoError::Invalid(vec![crate::params::ParamError { param: String::new(), message: format!("the {} demo takes no pictures", self.spec().id) }]))
    }
}

/// A serialisable value whose type is erased: what the registry hands to the bindings (which
/// turn it into a JS value) and to native tests (which turn it into JSON).
pub type Erased = Box<dyn erased_serde::Serialize>;

/// What a compute gives back through the registry.
pub struct Computed {
    pub value: Erased,
    pub cancelled: bool,
    pub summary: Erased,
}

/// What a run gives back through the registry.
pub struct Ran {
    pub outcome: Erased,
    pub summary: Erased,
}

/// [`Demo`] with its types erased, so that demos of different types share one registry.
pub trait Entry: Sync {
    fn spec(&self) -> &'static DemoSpec;
    fn compute(&self, p: &Params, ctl: &Control, ticket: u32) -> Result<Computed, DemoError>;
    fn run(&self, p: &Params, env: Env, ctl: &Control, feed: &Feed) -> Result<Ran, DemoError>;
    fn observe(&self, p: &Params, env: Env, ctl: &Control, seen: &mut dyn erased_serde::Deserializer) -> Result<Ran, DemoError>;
    fn process(&self, msg: &mut dyn erased_serde::Deserializer) -> Result<Erased, DemoError>;
    fn step(&self, fit: &mut Fit) -> Option<(Program, &'static str)>;
    fn attach(&self, width: u32, height: u32, rgba: Option<Vec<u8>>) -> Result<(), DemoError>;
}

impl<D: Demo> Entry for D {
    fn spec(&self) -> &'static DemoSpec {
        Demo::spec(self)
    }

    fn compute(&self, p: &Params, ctl: &Control, ticket: u32) -> Result<Computed, DemoError> {
        let value = Demo::compute(self, p, ctl, ticket)?;
        let summary = Box::new(self.summary(p, Some(&value), None));
        Ok(Computed { cancelled: self.cancelled(&value), value: Box::new(value), summary })
    }

    fn run(&self, p: &Params, env: Env, ctl: &Control, feed: &Feed) -> Result<Ran, DemoError> {
        let outcome = Demo::run(self, p, env, ctl, feed)?;
        let summary = Box::new(self.summary(p, None, Some(&outcome)));
        Ok(Ran { outcome: Box::new(outcome), summary })
    }

    fn observe(&self, p: &Params, env: Env, ctl: &Control, seen: &mut dyn erased_serde::Deserializer) -> Result<Ran, DemoError> {
        let outcome = Demo::observe(self, p, env, ctl, seen)?;
        let summary = Box::new(self.summary(p, None, Some(&outcome)));
        Ok(Ran { outcome: Box::new(outcome), summary })
    }

    fn process(&self, msg: &mut dyn erased_serde::Deserializer) -> Result<Erased, DemoError> {
        Demo::process(self, msg)
    }

    fn step(&self, fit: &mut Fit) -> Option<(Program, &'static str)> {
        Demo::step(self, fit)
    }

    fn attach(&self, width: u32, height: u32, rgba: Option<Vec<u8>>) -> Result<(), DemoError> {
        Demo::attach(self, width, height, rgba)
    }
}
