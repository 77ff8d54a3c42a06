//! The programs the loop runs, written as the book writes them in Python, with Rust's
//! `async` and this crate's loop ([`crate::aio`]): the countdowns of chapter 10, the cooking
//! analogy of chapter 9, and chapter 11's producers and consumers on an `asyncio.Queue` and
//! its echo server written as a transport and a protocol.

use super::{Program, Setup};
use crate::aio::socket::{self, Chunk, Socket};
use crate::aio::{Loop, Queue};
use std::cell::RefCell;
use std::rc::Rc;

/// What a program reports besides the loop's log: for channel runs, the items; for the echo
/// server, what each client sent and got back.
#[derive(Debug, Default, Clone)]
pub struct Report {
    pub produced: Vec<u32>,
    pub consumed: Vec<u32>,
    pub peak: usize,
    /// (client, sent, echoed, round trips in ms)
    pub clients: Vec<(String, u32, u32, Vec<f64>)>,
}

pub type Shared = Rc<RefCell<Report>>;

/// Spawns the program's tasks on `lp`. `all_blocking` turns every sleep into a blocking one
/// (the program run one step after another: its sequential time).
pub fn load(lp: &Loop, s: &Setup, all_blocking: bool, order: &[usize]) -> Shared {
    let report = Shared::default();
    match s.program {
        Program::Countdowns => countdowns(lp, s, all_blocking),
        Program::Cooking => super::cooking::cook(lp, s.blocking, all_blocking, order),
        Program::Channels => channels(lp, s, all_blocking, report.clone()),
        Program::Echo => echo(lp, s, all_blocking, report.clone()),
        Program::Downloads => downloads(lp, s, all_blocking),
    }
    report
}

// snippet:start eventloop
/// Waits `ms`: `await asyncio.sleep`, or `time.sleep` when `blocking`.
async fn wait(lp: &Loop, ms: f64, blocking: bool) {
    if blocking {
        lp.block(ms);
    } else {
        lp.sleep(ms).await;
    }
}

/// The countdowns: A ticks every second, B every 0.8 s, C every 0.5 s, three ticks each.
pub const COUNTDOWNS: [(&str, f64); 3] = [("A", 1000.0), ("B", 800.0), ("C", 500.0)];
pub const TICKS: u32 = 3;

/// Chapter 10's `count_down(name, delay)`: wait, then print the count, three times. With
/// `cpu` > 0 each tick also computes for that long, on the loop or, offloaded, on the pool.
async fn count_down(lp: Loop, name: &'static str, delay: f64, blocking: bool, cpu: f64, offload: bool) {
    for n in (1..=TICKS).rev() {
        wait(&lp, delay, blocking).await;
        if cpu > 0.0 {
            if offload {
                lp.offload(cpu).await;
            } else {
                lp.work(cpu);
            }
        }
        lp.print(format!("{name} = {n}"));
    }
}

fn countdowns(lp: &Loop, s: &Setup, all_blocking: bool) {
    for (name, delay) in COUNTDOWNS {
        lp.spawn(name, count_down(lp.clone(), name, delay, s.blocking || all_blocking, s.cpu, s.offload));
    }
}
// snippet:end eventloop

/// A producer makes an item every this many ms, a consumer takes this long over one; each
/// wait gets up to [`JITTER_MS`] more, chosen by the seed.
pub const PRODUCE_MS: f64 = 300.0;
pub const CONSUME_MS: f64 = 700.0;
pub const JITTER_MS: u64 = 200;

/// A number in `0..JITTER_MS` for the `n`-th wait of `who`, the same for the same seed.
pub fn jitter(seed: u64, who: u64, n: u64) -> f64 {
    let mut x = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ who.wrapping_mul(0xBF58_476D_1CE4_E5B9) ^ n.wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^= x >> 31;
    x = x.wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x ^= x >> 29;
    (x % JITTER_MS) as f64
}

/// Chapter 11: producers put numbered items on an `asyncio.Queue`, consumers get them and take
/// time over each; `main` waits for the producers, then for the queue to be drained
/// (`q.join()`), then cancels the consumers, which would otherwise wait for ever.
fn channels(lp: &Loop, s: &Setup, all_blocking: bool, report: Shared) {
    let q = Queue::new(lp, s.maxsize);
    let (producers, consumers, items, seed) = (s.producers, s.consumers, s.items, s.seed);
    let (blocking, lp2) = (s.blocking, lp.clone());
    lp.spawn("main", async move {
        let lp = lp2;
        let mut made = Vec::new();
        for p in 0..producers {
            // Producer p makes items p, p + producers, p + 2 * producers, ...
            let mine: Vec<u32> = (p..items).step_by(producers as usize).collect();
            let (lp, q, report) = (lp.clone(), q.clone(), report.clone());
            made.push(lp.clone().spawn(&format!("P{}", p + 1), async move {
                for (n, item) in mine.into_iter().enumerate() {
                    wait(&lp, PRODUCE_MS + jitter(seed, u64::from(p), n as u64), all_blocking).await;
                    q.put(item).await;
                    report.borrow_mut().produced.push(item);
                    lp.print(format!("P{} put {item}", p + 1));
                }
            }));
        }
        let mut eating = Vec::new();
        for c in 0..consumers {
            let (lp, q, report) = (lp.clone(), q.clone(), report.clone());
            eating.push(lp.clone().spawn(&format!("C{}", c + 1), async move {
                for n in 0.. {
                    let item = q.get().await;
                    report.borrow_mut().consumed.push(item);
                    lp.print(format!("C{} got {item}", c + 1));
                    // The first consumer's work is the one sleep that the blocking switch
                    // turns into time.sleep.
                    let ms = CONSUME_MS + jitter(seed, 100 + u64::from(c), n);
                    wait(&lp, ms, all_blocking || (blocking && c == 0)).await;
                    q.task_done();
                }
            }));
        }
        for p in made {
            lp.join(p).await;
        }
        q.join().await;
        for c in eating {
            lp.cancel(c);
        }
        report.borrow_mut().peak = q.peak();
        lp.print(format!("main: {items} items made and handled"));
    });
}

/// Each client sends this many messages, thinking this long before each.
pub const MESSAGES: u32 = 3;
pub const THINK_MS: f64 = 200.0;
/// One way across the simulated network.
pub const NETWORK_MS: f64 = 50.0;
/// What the server's `data_received` spends on a message when the blocking switch is on
/// (say, a synchronous write to a log file).
pub const SLOW_HANDLER_MS: f64 = 150.0;

/// asyncio's `Protocol`: the loop calls it when a connection opens, when data arrives and
/// when the connection closes. It never awaits; it answers through its transport.
trait Protocol {
    fn connection_made(&mut self, transport: Socket);
    fn data_received(&mut self, data: &str);
    fn connection_lost(&mut self);
}

/// Chapter 11's `EchoServerClientProtocol`: writes back what it receives.
struct EchoProtocol {
    lp: Loop,
    transport: Option<Socket>,
    peer: String,
    blocking: bool,
}

impl Protocol for EchoProtocol {
    fn connection_made(&mut self, transport: Socket) {
        self.lp.print(format!("server: connection from {}", self.peer));
        self.transport = Some(transport);
    }
    fn data_received(&mut self, data: &str) {
        if self.blocking {
            self.lp.block(SLOW_HANDLER_MS);
        }
        self.transport.as_ref().expect("connected").send(Chunk::Data(data.to_string()));
    }
    fn connection_lost(&mut self) {
        self.lp.print(format!("server: {} closed the connection", self.peer));
    }
}

/// The transport's side of a connection: read from the socket when data is there and hand it
/// to the protocol. asyncio does this inside the loop; here it is a task of its own.
async fn serve(sock: Socket, mut protocol: impl Protocol) {
    protocol.connection_made(sock.clone());
    while let Chunk::Data(data) = sock.recv().await {
        protocol.data_received(&data);
    }
    protocol.connection_lost();
}

fn echo(lp: &Loop, s: &Setup, all_blocking: bool, report: Shared) {
    for c in 0..s.clients {
        let name = format!("client {}", c + 1);
        let delay = NETWORK_MS + (jitter(s.seed, 200 + u64::from(c), 0) / 4.0).round();
        let (client, server) = socket::pair(lp, delay);
        let protocol = EchoProtocol { lp: lp.clone(), transport: None, peer: name.clone(), blocking: s.blocking };
        lp.spawn(&format!("server {}", c + 1), serve(server, protocol));
        let (lp2, report, seed) = (lp.clone(), report.clone(), s.seed);
        lp.spawn(&name.clone(), async move {
            let lp = lp2;
            let (mut echoed, mut rtts) = (0, Vec::new());
            for m in 0..MESSAGES {
                wait(&lp, THINK_MS + jitter(seed, 300 + u64::from(c), u64::from(m)), all_blocking).await;
                let msg = format!("hello {} from {name}", m + 1);
                let sent = lp.now();
                client.send(Chunk::Data(msg.clone()));
                if let Chunk::Data(back) = client.recv().await {
                    echoed += u32::from(back == msg);
                    rtts.push(lp.now() - sent);
                    lp.print(format!("{name} got back \"{back}\""));
                }
            }
            client.send(Chunk::Eof);
            report.borrow_mut().clients.push((name, MESSAGES, echoed, rtts));
        });
    }
}

/// Chapter 11's downloads: five files, each a request (one round trip to the server) and then
/// its chunks, each arriving [`CHUNK_MS`] after the one before, written to disk as it comes.
/// One after another the waits add up; on the loop they overlap.
pub const FILES: [(&str, u32); 5] = [("report.pdf", 4), ("photo.jpg", 6), ("data.csv", 3), ("slides.pptx", 8), ("notes.txt", 1)];
pub const REQUEST_MS: f64 = 150.0;
pub const CHUNK_MS: f64 = 100.0;
/// Writing a chunk to the file: with aiofiles an await, with the blocking switch a plain
/// `f.write()`, which holds the loop.
pub const WRITE_MS: f64 = 20.0;

fn downloads(lp: &Loop, s: &Setup, all_blocking: bool) {
    for (i, (file, chunks)) in FILES.into_iter().enumerate() {
        let (lp2, seed) = (lp.clone(), s.seed);
        let blocking = s.blocking;
        lp.spawn(file, async move {
            let lp = lp2;
            let start = lp.now();
            // The request: there and back before the first byte (plus a seeded extra wait).
            wait(&lp, REQUEST_MS + (jitter(seed, 400 + i as u64, 0) / 2.0).round(), all_blocking).await;
            for c in 0..chunks {
                wait(&lp, CHUNK_MS, all_blocking).await;
                wait(&lp, WRITE_MS, all_blocking || blocking).await;
                if c + 1 == chunks {
                    lp.print(format!("{file}: {chunks} chunks in {} ms", lp.now() - start));
                }
            }
        });
    }
}
