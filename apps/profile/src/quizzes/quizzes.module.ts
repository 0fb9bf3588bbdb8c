import { Module } from '@nestjs/common';
import { QuizzesHttpController } from './quizzes.http.controller';
import { QuizzesRepository } from './quizzes.repository';
import { QuizzesService } from './quizzes.service';

// SettingsService comes from the global SettingsModule. The repository is exported for the event path,
// which loads the definitions behind a batch's quiz answers (definitionsFor).
@Module({ controllers: [QuizzesHttpController], providers: [QuizzesService, QuizzesRepository], exports: [QuizzesRepository] })
export class QuizzesModule {}
