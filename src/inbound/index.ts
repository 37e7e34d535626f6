/** src/inbound: what comes back after the first hop — DSNs, ARF complaints, mailto unsubscribes, ESP webhooks. */
export { startInboundServer, eventsFor, type InboundServer } from './inbound-server.js';
export { InboundHandler, eventsOfBounceMessage, resolveVerp, editionOfMessageId, type InboundEvent, type EventKind, type ApplyOutcome } from './inbound-handler.js';
export { readMessage, readDeliveryStatus, readFields, type InboundMessage, type DsnRecipient } from './read-message.js';
export { classifyBounce, findStatus, type BounceClass } from './bounce-class.js';
export { COMPLAINT_WARN, COMPLAINT_ALERT } from './complaint-rate.js';
