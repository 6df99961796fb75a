//! Colours and styles for categories and chrome; plain when colour is off (NO_COLOR).

use ratatui::style::{Color, Modifier, Style};

use crate::lab::Category;

/// The styles one frame is drawn with.
#[derive(Clone, Copy, Debug)]
pub struct Theme {
    pub color: bool,
}

impl Theme {
    pub fn new(color: bool) -> Self {
        Theme { color }
    }

    fn fg(&self, c: Color) -> Style {
        if self.color {
            Style::new().fg(c)
        } else {
            Style::new()
        }
    }

    pub fn category(&self, c: Category) -> Style {
        match c {
            Category::Complete => self.fg(Color::Green),
            Category::InProgress => self.fg(Color::Yellow),
            Category::Pending => self.fg(Color::DarkGray),
            Category::Failed => self.fg(Color::Red).add_modifier(Modifier::BOLD),
            Category::Cancelled => self.fg(Color::Magenta),
        }
    }

    /// A manual approval waiting for a reviewer: it asks for someone, unlike a running action.
    pub fn approval(&self) -> Style {
        self.fg(Color::Cyan).add_modifier(Modifier::BOLD)
    }

    /// A working resource with a warning (rolled back, tainted, in progress with an error).
    pub fn warning(&self) -> Style {
        self.fg(Color::LightYellow).add_modifier(Modifier::BOLD)
    }

    pub fn border(&self, focused: bool) -> Style {
        if focused {
            self.fg(Color::Cyan).add_modifier(Modifier::BOLD)
        } else {
            self.fg(Color::Gray)
        }
    }

    pub fn selected(&self) -> Style {
        Style::new().add_modifier(Modifier::REVERSED)
    }

    pub fn heading(&self) -> Style {
        self.fg(Color::Blue).add_modifier(Modifier::BOLD)
    }

    pub fn dim(&self) -> Style {
        self.fg(Color::DarkGray)
    }

    pub fn title(&self) -> Style {
        Style::new().add_modifier(Modifier::BOLD)
    }

    pub fn error(&self) -> Style {
        self.fg(Color::Red).add_modifier(Modifier::BOLD)
    }

    /// The bars of a metric's sparkline.
    pub fn spark(&self) -> Style {
        self.fg(Color::Cyan)
    }

    pub fn key(&self) -> Style {
        self.fg(Color::Cyan).add_modifier(Modifier::BOLD)
    }

    pub fn badge(&self) -> Style {
        if self.color {
            Style::new()
                .fg(Color::Black)
                .bg(Color::Magenta)
                .add_modifier(Modifier::BOLD)
        } else {
            Style::new().add_modifier(Modifier::REVERSED)
        }
    }
}
