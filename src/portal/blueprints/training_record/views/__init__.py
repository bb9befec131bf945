from portal.blueprints.training_record.views import director, secretariat, trainee

__all__ = ["director", "secretariat", "trainee"]
