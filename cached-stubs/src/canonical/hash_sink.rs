//! The buffered way into a blake3 hasher.

use super::Sink;

/// Feeds a blake3 hasher through a buffer: blake3 is fastest fed large pieces, and the
/// encoding writes many small ones. It borrows the hasher, which is 2 KB to move.
pub struct HashSink<'h> {
    hasher: &'h mut blake3::Hasher,
    /// A blake3 chunk: updates of this size or more go to the hasher directly.
    buffer: [u8; 1024],
    len: usize,
}

impl<'h> HashSink<'h> {
    pub(crate) fn new(hasher: &'h mut blake3::Hasher) -> HashSink<'h> {
        HashSink {
            hasher,
            buffer: [0; 1024],
            len: 0,
        }
    }

    /// Feeds the hasher what is still buffered.
    pub(crate) fn finish(self) {
        self.hasher.update(&self.buffer[..self.len]);
    }
}

impl Sink for HashSink<'_> {
    fn put(&mut self, bytes: &[u8]) {
        if self.len + bytes.len() > self.buffer.len() {
            self.hasher.update(&self.buffer[..self.len]);
            self.len = 0;
            if bytes.len() > self.buffer.len() {
                self.hasher.update(bytes);
                return;
            }
        }
        self.buffer[self.len..self.len + bytes.len()].copy_from_slice(bytes);
        self.len += bytes.len();
    }
}
