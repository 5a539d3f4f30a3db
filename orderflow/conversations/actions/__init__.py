"""The thread's writers: posting a message with its files, a reply that came in by email, and a
reader's position in the thread."""

from orderflow.conversations.actions.inbound import receive_email
from orderflow.conversations.actions.messages import MAX_BODY, customer_may_write, post_message
from orderflow.conversations.actions.reads import mark_thread_read

__all__ = ["MAX_BODY", "customer_may_write", "mark_thread_read", "post_message", "receive_email"]
