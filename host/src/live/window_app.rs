//! The `window` sink's window for `liveswap live --output window`: a plain iced window on the
//! main thread showing the newest processed frame, with the fps and latency in its title
//! bar area. The live loop runs on a worker thread and hands frames over through the
//! one-frame channel of [`super::window`].
//!
//! Ending: when the live loop ends (its frames channel closes) the window closes itself;
//! when the user closes the window, [`run_window`] returns and the caller stops the loop
//! like Ctrl-C does.

use super::window::WindowFrame;
use iced::widget::{column, container, image, text};
use iced::{ContentFit, Element, Length, Subscription, Task};
use std::sync::mpsc::{Receiver, TryRecvError};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// How often the window looks for a new frame (a 60 Hz display needs no more).
const POLL: Duration = Duration::from_millis(15);

struct Preview {
    frames: Arc<Mutex<Receiver<WindowFrame>>>,
    frame: Option<image::Handle>,
    line: String,
}

#[derive(Debug, Clone, Copy)]
enum Message {
    Poll,
}

fn update(state: &mut Preview, message: Message) -> Task<Message> {
    match message {
        Message::Poll => {
            let Ok(rx) = state.frames.lock() else {
                return iced::exit();
            };
            // Only the newest frame is drawn; the channel holds at most one anyway.
            loop {
                match rx.try_recv() {
                    Ok(f) => {
                        state.line =
                            format!("{}×{}, latency {:.0} ms", f.width, f.height, f.latency_ms);
                        state.frame = Some(image::Handle::from_rgba(f.width, f.height, f.rgba));
                    }
                    Err(TryRecvError::Empty) => return Task::none(),
                    Err(TryRecvError::Disconnected) => return iced::exit(),
                }
            }
        }
    }
}

fn view(state: &Preview) -> Element<'_, Message> {
    let picture: Element<'_, Message> = match &state.frame {
        Some(h) => image(h.clone())
            .content_fit(ContentFit::Contain)
            .width(Length::Fill)
            .height(Length::Fill)
            .into(),
        None => text("waiting for the first frame…").into(),
    };
    container(column![picture, text(state.line.as_str()).size(13)].spacing(4))
        .padding(4)
        .into()
}

fn subscription(_: &Preview) -> Subscription<Message> {
    iced::time::every(POLL).map(|_| Message::Poll)
}

/// Shows frames from `frames` until the channel closes or the window is closed.
///
/// # Errors
/// The window could not be opened.
pub fn run_window(frames: Receiver<WindowFrame>, title: &str) -> Result<(), String> {
    let frames = Arc::new(Mutex::new(frames));
    let title = format!("liveswap live — {title}");
    iced::application(
        move || Preview {
            frames: Arc::clone(&frames),
            frame: None,
            line: String::new(),
        },
        update,
        view,
    )
    .title(move |_: &Preview| title.clone())
    .subscription(subscription)
    .window_size((960.0, 600.0))
    .run()
    .map_err(|e| e.to_string())
}
