//! Simulated stream sockets for tasks of one loop. A page has no raw sockets, so a connection
//! here is a pair of pipes, one per direction, each delivering what was written `delay` ms
//! later, in order, as a network would. `recv` waits like a socket read: until data has
//! arrived, or the other end closed (then it answers `None`, as a read of 0 bytes does).
//!
//! A reader that waits on an empty pipe is woken by a timer set for the moment the next data
//! arrives, never earlier: so the loop's log shows it ready exactly when its data is there.

use super::executor::{Loop, TaskId};
use std::cell::RefCell;
use std::collections::VecDeque;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll, Waker};

/// What travels: a message, or the end of the stream.
#[derive(Debug, Clone, PartialEq)]
pub enum Chunk {
    Data(String),
    Eof,
}

struct Pipe {
    delay: f64,
    /// (when it arrives, what)
    chunks: VecDeque<(f64, Chunk)>,
    /// The task waiting on the empty pipe, and its waker.
    reader: Option<(Option<TaskId>, Waker)>,
}

/// One end of a connection: it writes into one pipe and reads from the other.
#[derive(Clone)]
pub struct Socket {
    lp: Loop,
    out: Rc<RefCell<Pipe>>,
    inp: Rc<RefCell<Pipe>>,
}

/// A connection: the client's end and the server's end, `delay` ms apart each way.
pub fn pair(lp: &Loop, delay: f64) -> (Socket, Socket) {
    let pipe = || Rc::new(RefCell::new(Pipe { delay, chunks: VecDeque::new(), reader: None }));
    let (up, down) = (pipe(), pipe());
    (Socket { lp: lp.clone(), out: up.clone(), inp: down.clone() }, Socket { lp: lp.clone(), out: down, inp: up })
}

impl Socket {
    /// `transport.write(data)`: returns at once; the data arrives `delay` ms later.
    pub fn send(&self, chunk: Chunk) {
        let at = self.lp.now() + self.out.borrow().delay;
        let mut pipe = self.out.borrow_mut();
        pipe.chunks.push_back((at, chunk));
        // A reader waiting on the empty pipe gets a timer for this arrival.
        if pipe.chunks.len() == 1 {
            if let Some((task, w)) = pipe.reader.take() {
                self.lp.core.borrow_mut().add_timer(at, task, w);
            }
        }
    }

    /// `await reader.read()`: the next chunk once it has arrived.
    pub fn recv(&self) -> Recv {
        Recv { s: self.clone() }
    }
}

pub struct Recv {
    s: Socket,
}

impl Future for Recv {
    type Output = Chunk;
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Chunk> {
        let now = self.s.lp.now();
        let mut pipe = self.s.inp.borrow_mut();
        match pipe.chunks.front() {
            Some((at, _)) if *at <= now => Poll::Ready(pipe.chunks.pop_front().expect("a chunk").1),
            Some((at, _)) => {
                let at = *at;
                drop(pipe);
                let mut core = self.s.lp.core.borrow_mut();
                let task = core.current;
                core.add_timer(at, task, cx.waker().clone());
                core.awaiting("recv (data on its way)".into());
                Poll::Pending
            }
            None => {
                let mut core = self.s.lp.core.borrow_mut();
                pipe.reader = Some((core.current, cx.waker().clone()));
                drop(pipe);
                core.awaiting("recv (nothing sent yet)".into());
                Poll::Pending
            }
        }
    }
}
