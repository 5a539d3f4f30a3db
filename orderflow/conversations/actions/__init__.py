"""The thread's writers: posting a message with its files."""

from orderflow.conversations.actions.messages import MAX_BODY, customer_may_write, post_message

__all__ = ["MAX_BODY", "customer_may_write", "post_message"]
