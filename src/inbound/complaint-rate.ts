/** Complaint rates (complaints / sent) that a log line and `brief edition ID status` call out: Gmail's guidance and its limit. */
export const COMPLAINT_WARN = 0.001;
export const COMPLAINT_ALERT = 0.003;
