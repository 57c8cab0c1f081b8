//! The kiosk's durable store (being written).
