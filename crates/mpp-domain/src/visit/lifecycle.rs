//! What an officer's action does to the ticket at their counter: one pure
//! function over the facts the store loaded, so the ticket's state machine
//! lives here, whole, and is tested with random sequences of actions. The
//! store (`visit/store/desk.rs`) loads the facts, asks, and saves the change,
//! naming the status it saw so that a concurrent change makes it miss.

use super::{Outcome, TicketStatus};

/// An officer's action on the ticket at their counter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// Announce the call again.
    Recall,
    /// The visitor has arrived: service starts.
    Start,
    /// Not here: back in the queue behind those waiting, or closed as a
    /// no-show once skipped `limit` times.
    Skip {
        limit: i64,
    },
    Finish(Outcome),
    /// The visitor fetches a missing document; the counter keeps them.
    Hold,
    /// Take a held visitor back, without queueing again.
    Resume,
    /// To another service (and optionally one counter); the visitor keeps
    /// their place in line.
    Transfer {
        service_id: String,
        counter_id: Option<String>,
    },
}

/// The ticket as the decision needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Facts {
    pub status: TicketStatus,
    /// At the acting officer's counter.
    pub at_this_counter: bool,
    pub skips: i64,
    /// Services still to come on this number, in order.
    pub journey: Vec<String>,
    /// Someone else is called or served at the counter (matters to Resume).
    pub counter_busy: bool,
}

/// What to store. Every change but `Recalled` moves the ticket to `status()`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    /// Called again: one more recall, and a new call on the board.
    Recalled,
    Started,
    /// Skipped: waiting again, behind those waiting now.
    Requeued,
    /// Skipped once too often: closed, the stretch recorded as `no_show`.
    NoShow,
    /// Served: the stretch recorded with its outcome; then the journey's
    /// next service (waiting, same number) or done.
    Finished {
        outcome: Outcome,
        next: Option<(String, Vec<String>)>,
    },
    Held,
    Resumed,
    /// Waiting for another service (or counter); the stretch recorded as
    /// `transferred`.
    Transferred {
        service_id: String,
        counter_id: Option<String>,
    },
}

impl Change {
    /// The ticket's status after the change.
    pub fn status(&self, before: TicketStatus) -> TicketStatus {
        match self {
            Change::Recalled => before,
            Change::Started | Change::Resumed => TicketStatus::Serving,
            Change::Requeued | Change::Transferred { .. } => TicketStatus::Waiting,
            Change::NoShow => TicketStatus::NoShow,
            Change::Finished { next: Some(_), .. } => TicketStatus::Waiting,
            Change::Finished { next: None, .. } => TicketStatus::Done,
            Change::Held => TicketStatus::Held,
        }
    }
}

/// Why an action is refused, as a message key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// The ticket is not at this counter.
    NotHere,
    /// Not in a state this action applies to.
    NotNow,
    /// Resume while someone else is at the counter.
    StillServing,
}

impl Refusal {
    pub fn key(self) -> &'static str {
        match self {
            Refusal::NotHere => "visit.not_at_counter",
            Refusal::NotNow => "visit.not_now",
            Refusal::StillServing => "visit.still_serving",
        }
    }
}

/// Decides what `command` does to the ticket described by `facts`.
pub fn decide(facts: &Facts, command: Command) -> Result<Change, Refusal> {
    use TicketStatus::{Called, Held, Serving};
    if !facts.at_this_counter {
        return Err(Refusal::NotHere);
    }
    let at_desk = matches!(facts.status, Called | Serving);
    match command {
        Command::Recall if facts.status == Called => Ok(Change::Recalled),
        Command::Start if facts.status == Called => Ok(Change::Started),
        Command::Skip { limit } if facts.status == Called => {
            Ok(if facts.skips + 1 >= limit { Change::NoShow } else { Change::Requeued })
        }
        Command::Finish(outcome) if at_desk => {
            let next = facts.journey.split_first().map(|(next, rest)| (next.clone(), rest.to_vec()));
            Ok(Change::Finished { outcome, next })
        }
        Command::Hold if at_desk => Ok(Change::Held),
        Command::Resume if facts.status == Held => {
            if facts.counter_busy {
                Err(Refusal::StillServing)
            } else {
                Ok(Change::Resumed)
            }
        }
        Command::Transfer { service_id, counter_id } if at_desk || facts.status == Held => {
            Ok(Change::Transferred { service_id, counter_id })
        }
        _ => Err(Refusal::NotNow),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn at_counter(status: TicketStatus) -> Facts {
        Facts { status, at_this_counter: true, skips: 0, journey: vec![], counter_busy: false }
    }

    #[test]
    fn a_visitor_is_called_served_and_done() {
        let f = at_counter(TicketStatus::Called);
        assert_eq!(decide(&f, Command::Start), Ok(Change::Started));
        let f = at_counter(TicketStatus::Serving);
        let done = decide(&f, Command::Finish(Outcome::Served)).expect("a served visitor is finished");
        assert_eq!(done.status(f.status), TicketStatus::Done);
        assert_eq!(decide(&f, Command::Start), Err(Refusal::NotNow), "started once");
    }

    #[test]
    fn a_journey_goes_on_in_order_with_the_same_number() {
        let f = Facts { journey: vec!["KK".into(), "BPJS".into()], ..at_counter(TicketStatus::Serving) };
        let next = decide(&f, Command::Finish(Outcome::Served)).expect("the journey goes on");
        assert_eq!(next, Change::Finished { outcome: Outcome::Served, next: Some(("KK".into(), vec!["BPJS".into()])) });
        assert_eq!(next.status(f.status), TicketStatus::Waiting);
    }

    #[test]
    fn skipping_requeues_until_the_limit_then_closes() {
        let f = Facts { skips: 1, ..at_counter(TicketStatus::Called) };
        assert_eq!(decide(&f, Command::Skip { limit: 3 }), Ok(Change::Requeued));
        assert_eq!(decide(&f, Command::Skip { limit: 2 }), Ok(Change::NoShow));
    }

    #[test]
    fn another_counter_and_a_busy_counter_are_refused() {
        let f = Facts { at_this_counter: false, ..at_counter(TicketStatus::Called) };
        assert_eq!(decide(&f, Command::Recall), Err(Refusal::NotHere));
        let f = Facts { counter_busy: true, ..at_counter(TicketStatus::Held) };
        assert_eq!(decide(&f, Command::Resume), Err(Refusal::StillServing));
    }

    fn command() -> impl Strategy<Value = Command> {
        prop_oneof![
            Just(Command::Recall),
            Just(Command::Start),
            (1i64..4).prop_map(|limit| Command::Skip { limit }),
            prop::sample::select(Outcome::ALL.to_vec()).prop_map(Command::Finish),
            Just(Command::Hold),
            Just(Command::Resume),
            Just(Command::Transfer { service_id: "OTHER".into(), counter_id: None }),
        ]
    }

    /// The edges a ticket may move along at a counter.
    fn allowed(from: TicketStatus, to: TicketStatus) -> bool {
        use TicketStatus::*;
        matches!(
            (from, to),
            (Called, Called | Serving | Waiting | NoShow | Done | Held)
                | (Serving, Waiting | Done | Held)
                | (Held, Serving | Waiting)
        )
    }

    proptest! {
        /// Whatever an officer presses, in whatever order, the ticket moves
        /// only along allowed edges, a closed ticket never moves again, and
        /// a journey is walked in order, each service once.
        #[test]
        fn any_sequence_of_actions_keeps_the_ticket_on_its_edges(
            commands in prop::collection::vec(command(), 1..40),
            journey in prop::collection::vec(prop::sample::select(vec!["A", "B", "C"]), 0..3),
            busy in any::<bool>(),
        ) {
            let journey: Vec<String> = journey.into_iter().map(str::to_string).collect();
            let mut facts = Facts { journey: journey.clone(), counter_busy: busy, ..at_counter(TicketStatus::Called) };
            let mut walked = Vec::new();
            for c in commands {
                let before = facts.status;
                let Ok(change) = decide(&facts, c) else { continue };
                let after = change.status(before);
                prop_assert!(allowed(before, after), "{before:?} -> {after:?} by {change:?}");
                match &change {
                    Change::Requeued => facts.skips += 1,
                    Change::Finished { next: Some((next, rest)), .. } => {
                        walked.push(next.clone());
                        facts.journey = rest.clone();
                    }
                    _ => {}
                }
                facts.status = after;
                if after == TicketStatus::Waiting {
                    // Called again to this counter (as call-next would).
                    facts.status = TicketStatus::Called;
                }
                if matches!(after, TicketStatus::Done | TicketStatus::NoShow) {
                    for c in [Command::Recall, Command::Start, Command::Hold, Command::Resume, Command::Finish(Outcome::Served)] {
                        prop_assert_eq!(decide(&facts, c), Err(Refusal::NotNow), "closed stays closed");
                    }
                    break;
                }
            }
            prop_assert!(journey.starts_with(&walked), "journey walked in order: {:?} of {:?}", walked, journey);
        }
    }
}
