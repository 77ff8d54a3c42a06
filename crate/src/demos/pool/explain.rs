//! The sentence under chapter 3's figures: what the two strategies did with the same tasks.

use super::Outcome;

pub(super) fn explain(o: &Outcome) -> String {
    let (q, s) = (&o.queue, &o.stealing);
    let k = o.workers;
    let mut text = format!(
        "Both ran the same {} tasks ({} prime checks in all) on {k} worker{}: the task queue in {:.0} ms, work stealing in {:.0} ms. ",
        o.tasks,
        o.total_units,
        if k == 1 { "" } else { "s" },
        q.wall_ms,
        s.wall_ms
    );
    if k > 1 {
        text += &format!(
            "With the queue, each free worker took the next task in line, so neighbouring tasks went to different workers \
             ({:.1} in a row on average), and every take went through the queue's one lock. With work stealing, each worker \
             went through its own piece of the range ({:.1} neighbouring tasks in a row), and only a worker that ran dry took \
             work from another. ",
            q.streak, s.streak
        );
    }
    text += &format!(
        "Workers sat idle {:.0} ms in all with the queue and {:.0} ms with stealing: before their first task, and at the \
         end, while the last tasks still ran on other workers. ",
        q.idle_ms, s.idle_ms
    );
    let (fast, slow) = (q.wall_ms.min(s.wall_ms), q.wall_ms.max(s.wall_ms));
    text += if slow <= fast * 1.1 {
        "The two are close: a task is long next to the cost of handing it out, whichever way that is done. Try many tiny tasks."
    } else if q.wall_ms < s.wall_ms {
        "The queue finished first here: it hands out tasks one at a time, so the long ones spread out evenly."
    } else {
        "Work stealing finished first here: no lock to share per task."
    };
    text
}
