//! The event feed on moto's SQS: hand-made envelopes in the documented shapes put on a real
//! queue are read by the consumer, the accounts they name are read again, a duplicate reads
//! nothing, what cannot be used is counted, and the queue ends empty.
