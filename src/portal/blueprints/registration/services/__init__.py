"""Services of registration: the registrant's side and the secretariat's."""
