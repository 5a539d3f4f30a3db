"""The thread's writers: posting a message with its files, and a reply that came in by email."""

from orderflow.conversations.actions.inbound import receive_email
from orderflow.conversations.actions.messages import MAX_BODY, customer_may_write, post_message

__all__ = ["MAX_BODY", "customer_may_write", "post_message", "receive_email"]
